"""Which language a parent wrote in, English or Spanish, for the reply and for retrieval.

Lingua's n-gram models (in the wheel, no download) are built for short and mixed text. A short
or ambiguous question ("ok", "y la tarea?") takes the conversation's language when it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from assistant.schemas import Turn

Lang = Literal["en", "es"]
LANGUAGES: dict[Language, Lang] = {Language.ENGLISH: "en", Language.SPANISH: "es"}
SURE = 0.75  # below this, a question alone does not settle the language
MIN_WORDS = 3  # "ok", "Graduate Profile?": too short to overrule the conversation's language


@lru_cache
def _detector() -> LanguageDetector:
    # Preloaded (~0.4 s, once per process) so the first Spanish question is not the slow one.
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models().build()


def detect(text: str) -> tuple[Lang, float]:
    """The more likely of English and Spanish, with lingua's confidence in it (0.5 to 1)."""
    best = _detector().compute_language_confidence_values(text)[0]
    return LANGUAGES[best.language], best.value


def reply_language(question: str, history: Sequence[Turn] = (), requested: Lang | None = None) -> Lang:
    """The language to answer in: as requested, else as written, else as the conversation was."""
    if requested:
        return requested
    lang, sure = detect(question)
    if sure >= SURE and len(question.split()) >= MIN_WORDS:
        return lang
    for turn in reversed(history):
        if turn.role == "user":
            earlier, earlier_sure = detect(turn.content)
            if earlier_sure >= SURE:
                return earlier
    return lang
