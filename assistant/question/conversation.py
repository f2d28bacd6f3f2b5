"""Follow-up questions, read in the light of the conversation, without a generative model.

A follow-up ("And what about facilities?", "¿Cuándo se aprobó?") names little of its topic. The
earlier user turns are passed to retrieval as weighted context texts, so the conversation's topic
pulls the ranking while the question's own words still lead. A question that reads as
self-contained (no "and ...", "it", "eso" ...) gives its context a smaller share, so a change of
subject is not dragged back. "The third one" / "el tercero" picks the item the previous answer
quoted in that place, and a follow-up that leans back ("Which group is that listed under?",
"What else is in that group?") is also pointed at what the previous answer quoted. A turn that
only pointed ("Tell me about the fourth one") stands, in later turns' context, for the item its
answer showed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.schemas import Turn
from assistant.text.keywords import question_words
from ingest.text_units import ends_in_colon

# Openings that lean on the topic said before: "And businesses?" names a new subject in it.
_OPENS_ON_IT = re.compile(
    r"^\W*(and|also|what about|how about|same for|y|e|tambi[eé]n|entonces|pero|qu[eé] (hay|pasa) (de|con))\b",
    re.IGNORECASE,
)
# Pronouns, and asking for more, that point at what the previous answer showed: "What does it
# cover?", "What else is in that group?", "¿Qué más?".
_POINTS = re.compile(
    r"\b(it|its|that|this|those|these|they|them|their|one|ones|else|rest"
    r"|eso|esto|esa|ese|esos|esas|ello|lo|le|les|m[aá]s|dem[aá]s|resto)\b",
    re.IGNORECASE,
)
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "last": -1,
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3, "tercero": 3,
    "tercera": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5, "sexto": 6, "sexta": 6,
    "séptimo": 7, "septimo": 7, "séptima": 7, "septima": 7, "último": -1, "ultimo": -1, "última": -1, "ultima": -1,
}  # fmt: skip
_ORDINAL = re.compile(r"\b(" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
# An answer line as prompts/<lang>.toml writes it: - Label: "quoted words" [n]
_QUOTE_LINE = re.compile(r'^- (?P<label>[^\n]+?): "(?P<text>[^\n]+)" \[(?P<n>\d+)\]\s*$', re.MULTILINE)


def quoted_texts(answer: str) -> list[str]:
    """The words an answer quotes, line by line, without their labels."""
    return [m.group("text") for m in _QUOTE_LINE.finditer(answer)]


def quoted_items(answer: str) -> list[str]:
    """The quotes of an earlier answer, in the order it showed them, each with its label; a
    lead-in ("... to download reports:") is no item, so "the first one" is the first after it."""
    quotes = ((m.group("label"), m.group("text")) for m in _QUOTE_LINE.finditer(answer))
    return [f"{label}: {text}" for label, text in quotes if not ends_in_colon(text)]


def _last_answer(history: Sequence[Turn]) -> str:
    """The assistant's most recent reply ("" before the first)."""
    return next((turn.content for turn in reversed(history) if turn.role == "assistant"), "")


def _last_list(history: Sequence[Turn]) -> str:
    """The most recent reply that listed several passages (cited [1], [2] ...), else the last reply:
    after "What are the values?" and "Tell me more about the second one", "And the last one?"
    counts in the list of values, not in the second value's sentences."""
    answers = [turn.content for turn in reversed(history) if turn.role == "assistant"]
    listed = (a for a in answers if len({line.group("n") for line in _QUOTE_LINE.finditer(a)}) > 1)
    return next(listed, answers[0] if answers else "")


# Words that ask for more of something without naming it: "Tell me about the fourth one".
_ASKING_FOR_MORE = {
    "tell",
    "explain",
    "more",
    "detail",
    "details",
    "explicame",
    "explica",
    "dime",
    "cuentame",
    "hablame",
}


def _names_a_topic(text: str) -> bool:
    """False for a turn that only points ("Tell me about the fourth one", "el segundo", "And the
    next one?"): in English or in Spanish reading, no word is left but ordinals and asking words."""
    return all(
        any(w not in _ORDINALS and w not in _ASKING_FOR_MORE for w in question_words(text, lang))
        for lang in ("en", "es")
    )


def _topics(history: Sequence[Turn]) -> list[str]:
    """What each user turn was about: its own words, or, for a turn that only pointed, the first
    quote of the answer it got (the item it pointed at)."""
    topics: list[str] = []
    for turn, reply in zip(history, [*history[1:], None]):
        if turn.role != "user":
            continue
        items = quoted_items(reply.content) if reply is not None and reply.role == "assistant" else []
        topics.append(turn.content if _names_a_topic(turn.content) or not items else items[0])
    return topics


def shown_quotes(question: str, history: Sequence[Turn]) -> list[str]:
    """What the previous answer quoted, in its order, when the question points back at it (not
    when it only opens on the topic: "And businesses?" after parents is about businesses)."""
    if not points_back(question):
        return []
    return quoted_texts(_last_answer(history))


# "Which one is about parents?", "¿Cuál de ellos habla de los maestros?": one of what was shown.
_WHICH_ONE = re.compile(
    r"\b(which|what) (one|ones|of (them|these|those|the \w+))\b"
    r"|\bcu[aá]l(es)? de (ell[oa]s|est[oa]s|es[oa]s)\b|^\W*cu[aá]l(es)? (habla|trata|menciona|es el que|es la que)\b",
    re.IGNORECASE,
)


def asks_which_of_them(question: str) -> bool:
    """True for a question that picks one of the items the previous answer showed."""
    return bool(_WHICH_ONE.search(question))


def points_back(question: str) -> bool:
    """True when the question points at something the previous answer showed."""
    return bool(_POINTS.search(question) or _ORDINAL.search(question) or _WHICH_ONE.search(question))


def leans_back(question: str) -> bool:
    """True when the question leans on something said before rather than naming its topic."""
    return bool(_OPENS_ON_IT.search(question)) or points_back(question)


def conversation_context(
    question: str, history: Sequence[Turn], weight: float, turns: int, new_topic_share: float
) -> list[tuple[str, float]]:
    """Weighted texts from earlier turns for retrieval; the most recent weighs most."""
    users = _topics(history)[-turns:]
    if not users:
        return []
    share = weight if leans_back(question) else weight * new_topic_share
    # Most recent first, each earlier turn at half the weight of the one after it.
    context = [(text, share / 2**age) for age, text in enumerate(reversed(users))]
    ordinal = _ORDINAL.search(question)
    if ordinal and (items := quoted_items(_last_list(history))):
        place = _ORDINALS[ordinal.group(1).lower()]
        index = place - 1 if place > 0 else len(items) - 1
        if index < len(items):
            # The item pointed at is the topic; the earlier question only frames it.
            context = [(items[index], weight * 2)] + [(text, w / 2) for text, w in context]
    return context
