"""A question that asks for a whole list gets every item of it, as the documents' structure
gives the list: the section the question names, the list a quoted passage introduces or is an
item of, or what follows a lead-in that ends in a colon."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.compose.quotes import MAX_UNITS, Quote, Selection, said
from assistant.index.state import Passage
from assistant.question.forms import Form
from ingest.text_units import ends_in_colon

MAX_LIST_ITEMS = 8  # items of a list quoted from passages of their own


def widen_for_lists(
    form: Form,
    selection: Selection,
    list_of: Callable[[Passage], tuple[Passage, list[Passage]]],
    named: Sequence[Passage] = (),
) -> None:
    """A question asking for a whole list gets every item of the list it asks for: the section
    it names ("What are the strategic priorities?") or points back at ("What else is in that
    group?": `list_of` gives the items it introduces, or the list it is an item of), else the
    items the best quoted passage introduces, or its own units.

    When the items are passages of their own (subsections, or what follows "the following ..."),
    each is quoted and cited in document order. The passage that announced them is left out:
    "What are the seven recommendations?" is answered by Recommendation 1 to 7, not by the
    sentence that says there are seven, and "the last one" or "el tercero" in a follow-up then
    counts in the list itself (assistant/conversation.py)."""
    asks_for_list = (
        form.asks_for_list
        or (form.plural and (named or _announced(form.plural, selection)))
        or _ends_on_the_name_of(named, form)
    )
    if not (selection.quotes and asks_for_list):
        return
    if named:
        head, items = list_of(named[0])
    elif listed := _listed_after_lead_in(selection, list_of):
        # "What are the three reports you can download?" quoted "Please click on links below to
        # download reports:": the list is what follows it, in its passage and the rest of its section.
        selection.quotes[:] = listed[:MAX_LIST_ITEMS]
        return
    else:  # the best quote's own list only: "all the outside groups" does not ask for all seven recommendations
        head = selection.quotes[0].passage
        announcer, items = list_of(head)
        items = items if announcer.id == head.id else []
    if items:
        # The rest of the list's own section is quoted whole (its units are the items); a
        # subsection by its name, its heading, under the list's name.
        selection.quotes[:] = [
            Quote(p, said(p.units)) if p.section == head.section else Quote(p, [], named_in=head.label)
            for p in items[:MAX_LIST_ITEMS]
        ]
        return
    # The passage is the list: all of its units first, then what else was quoted.
    quoted_head = next((q for q in selection.quotes if q.passage.id == head.id), None) or Quote(head)
    quoted_head.positions = said(head.units[: MAX_UNITS + 4])
    selection.quotes[:] = [quoted_head] + [q for q in selection.quotes if q.passage.id != head.id]


def _ends_on_the_name_of(named: Sequence[Passage], form: Form) -> bool:
    """Whether the question ends on the plural that names the section it names: "What about its
    values?" (OUR VALUES), not "... anything about learning other languages?" (the Graduate Profile)."""
    plural = form.ends_on_plural
    if not (named and plural):
        return False
    labels = [named[0].label] + ([named[0].translation.label] if named[0].translation else [])
    return any(plural.lower() in label.lower().split() for label in labels)


def _listed_after_lead_in(
    selection: Selection, list_of: Callable[[Passage], tuple[Passage, list[Passage]]]
) -> list[Quote]:
    """What follows the first quoted unit that ends in a colon and has something after it: the
    rest of its passage and of its section (nothing follows "progress will be ... reported through:")."""
    for quote in selection.quotes:
        for at in sorted(quote.positions):
            if ends_in_colon(quote.passage.units[at]):
                passage = quote.passage
                after = [i for i in said(passage.units) if i > at]
                rest = [p for p in list_of(passage)[1] if p.section == passage.section]
                if after or rest:
                    return ([Quote(passage, after)] if after else []) + [Quote(p, said(p.units)) for p in rest]
    return []


def _announced(plural: str, selection: Selection) -> bool:
    """Whether a quoted unit announces a list of what the question's plural names: "What reports
    can I download?" quoted "Please click on links below to download reports:"."""
    names_it = re.compile(rf"\b{re.escape(plural)}\b", re.I)
    # A Spanish question names the translation's words.
    return any(
        ends_in_colon(unit) and names_it.search(unit)
        for quote in selection.quotes
        for i in quote.positions
        for unit in quote.passage.renderings(i)
    )
