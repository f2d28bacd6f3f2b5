"""What a question asks for, read from its grammar: a whole list, someone, or one item of a list."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Questions that ask for the whole of a list ("What are the values...", "¿cuáles son ...?"), or
# for the rest of one ("What else is in that group?", "¿qué más hay?").
_LIST_QUESTION = re.compile(
    r"^\s*(what|which)\s+(are|were)\b|\b(list|all (of )?the|name the|each of|what else|the rest)\b"
    r"|\bqu[eé] m[aá]s\b|\b(lo|los|las) dem[aá]s\b|\b(what|which) (kinds|types|sorts) of\b|\bqu[eé] (tipos|clases) de\b"
    r"|\bcu[aá]l(es)?\s+son\b|\bqu[eé]\s+(son|valores|prioridades)\b|\btod[oa]s\s+l[oa]s\b|\blista\b|\benumer",
    re.I,
)
# "Which values does PUSD hold?" asks for a list when its plural noun names a section; "What
# years does the plan cover?", naming none, does not.
_WHICH_PLURAL = re.compile(
    r"^\s*(?:what|which)\s+(?!does\b|is\b|was\b|has\b)([^\W\d_]+s)\b"
    r"|^\W*(?:qu[eé]|cu[aá]les)\s+(?!es\b|m[aá]s\b)([^\W\d_]+s)\b",
    re.I,
)
# ... so does one that ends on it after "about" or a determiner: "What about its values?", "Tell
# me about the strategic priorities", "¿Y sus valores?".
_ENDS_ON_PLURAL = re.compile(
    r"\b(?:about|the|its|their|and|y|sobre|los|las|sus)\s+(?:[^\W\d_]+\s+){0,2}([^\W\d_]+s)\W*$",
    re.I,
)
# "Who ...?" asks for someone: in the plans, a team, an office, a board or the stakeholders.
_ASKS_WHO = re.compile(r"^\W*(?:who|qui[eé]n(?:es)?)\b", re.I)


@dataclass(frozen=True)
class Form:
    """What the question asks for."""

    asks_for_list: bool  # "What are the ...?", "What else ...?", "¿Cuáles son ...?"
    plural: str  # the plural noun after "which"/"what" ("values"): a list if it names a section or a list
    ends_on_plural: str  # the plural it ends on ("What about its values?"): a list if it names the section
    asks_who: bool


def form_of(question: str) -> Form:
    plural = _WHICH_PLURAL.search(question)
    ending = _ENDS_ON_PLURAL.search(question)
    return Form(
        asks_for_list=bool(_LIST_QUESTION.search(question)),
        plural=(plural[1] or plural[2]) if plural else "",
        ends_on_plural=ending[1] if ending else "",
        asks_who=bool(_ASKS_WHO.search(question)),
    )
