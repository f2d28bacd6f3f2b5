"""The question, read once: its language, its words with typos corrected, the conversation it
leans on, what it names and what it asks for. Every later stage reads this one object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.question.conversation import asks_which_of_them, conversation_context, shown_quotes
from assistant.question.forms import Form, form_of
from assistant.question.framing import unframed
from assistant.question.language import Lang, reply_language
from assistant.question.scope import Catalog, Scope
from assistant.schemas import Turn
from assistant.settings import Settings


@dataclass(frozen=True)
class Query:
    asked: str  # as the parent typed it
    text: str  # with typos corrected toward the plans' words ("stratgic priorites")
    lang: Lang  # the language it is written in: what retrieval matches it in
    reply_lang: Lang  # the language of the reply (asked for, or the question's)
    about: str  # a yes/no question without its frame ("be honest?" of "Will my kid be taught to be honest?")
    # Earlier turns a follow-up leans on, each with its weight (most recent first).
    context: tuple[tuple[str, float], ...]
    # The previous answer's quotes, when the question points back at them ("What else is in that group?").
    shown: tuple[str, ...]
    picks_one: bool  # "Which one is about parents?": one of `shown`
    scope: Scope  # the districts, documents and years it names
    form: Form  # what it asks for: a list, someone

    @property
    def led_with(self) -> tuple[str, ...]:
        """The quotes whose passage a follow-up points back at; none when it picks one of them (the
        one the previous answer led with is then no better a candidate than the others)."""
        return () if self.picks_one else self.shown


def read_question(
    question: str,
    history: Sequence[Turn],
    lang: Lang | None,
    settings: Settings,
    spelled: Callable[[str, str], str],
    catalog: Catalog,
) -> Query:
    """Read the question once; `spelled` corrects typos toward the plans' words in a language."""
    written = reply_language(question, history)
    text = spelled(question, written)
    context = conversation_context(
        text, history, settings.history_weight, settings.history_turns, settings.new_topic_share
    )
    shown = shown_quotes(text, history)
    return Query(
        asked=question,
        text=text,
        lang=written,
        reply_lang=lang or written,
        about=unframed(text, written) if settings.unframed_share > 0 else text,
        context=tuple(context),
        shown=tuple(shown),
        picks_one=bool(shown) and asks_which_of_them(text),
        scope=_scope(text, history, settings, catalog),
        form=form_of(text),
    )


def _scope(text: str, history: Sequence[Turn], settings: Settings, catalog: Catalog) -> Scope:
    """What the question names; with answer_from_own_district, one that names no district keeps to
    the one the conversation last named ("And its mission?" after Ashford's values), else to the
    deployment's own."""
    scope = catalog.scope_of(text)
    if not settings.answer_from_own_district or scope.districts:
        return scope
    for turn in reversed(history):
        earlier = catalog.scope_of(turn.content) if turn.role == "user" else None
        if earlier is not None and earlier.districts:
            return replace(scope, districts=earlier.districts)
    own = catalog.own_district(settings.district_name)
    return catalog.own_scope(scope, own) if own is not None else scope
