"""Parents' typos, corrected toward the plans' own words before a question is searched.

"What are the stratgic priorites?" or "¿cuándo se aprobó el plan maestro educatibo?" share no
keyword with the plans, and a question with no keyword in common is refused. A word is corrected
only when it is no word at all (pyspellchecker's English or Spanish dictionary, accents aside,
does not know it, nor do the plans or the parents' glossary) and a word of the plans or the
glossary is one edit away: "lunch" or "test", real words, are never made into plan words, and a
typo with no plan word near it is left as written, and so is a word one edit from another form
of itself ("hijos", "hijo"). Capitalised words after the first (names:
"Muir", "Altadena"), acronyms and words of three letters or fewer are left alone too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from spellchecker import SpellChecker

from assistant.text.keywords import fold_accents, stem

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# "bus", "sel": too short to tell a typo from another word. Spanish from six letters: the Spanish
# dictionary lacks many everyday forms ("nomás", "quiero"), so a short word is more often one of them.
MIN_LETTERS = {"en": 4, "es": 6}


# Contractions typed without their apostrophe, as on a phone: "whos in charge" is "who's in
# charge", not "who in charge" (the nearest word the dictionary knows). Those that are words
# themselves ("its", "ill", "were", "well", "lets") are not listed.
_CONTRACTIONS = {
    "en": {
        word.replace("'", ""): word
        for word in [
            "who's", "what's", "where's", "when's", "how's", "that's", "there's", "isn't", "aren't",
            "wasn't", "weren't", "don't", "doesn't", "didn't", "can't", "won't", "wouldn't", "shouldn't",
            "couldn't", "haven't", "hasn't", "i'm", "i've", "they're", "they've", "you're",
        ]
    }
}  # fmt: skip
_CONTRACTED = {lang: re.compile(r"\b(" + "|".join(words) + r")\b", re.I) for lang, words in _CONTRACTIONS.items()}


@lru_cache(maxsize=2)
def _checker(lang: str) -> SpellChecker:
    return SpellChecker(language=lang, distance=1)


@lru_cache(maxsize=2)
def _dictionary(lang: str) -> frozenset[str]:
    """The language's words, lower case and without accents (parents leave accents out)."""
    return frozenset(fold_accents(word) for word in _checker(lang).word_frequency)


def _plain(word: str) -> str:
    return fold_accents(word.lower())


class Speller:
    """Corrects the typos of a question toward the words the plans (and the glossary) use."""

    def __init__(self, texts: dict[str, Iterable[str]]) -> None:
        """`texts`: per language, the texts whose words are the corrections (plans, glossary)."""
        self._plan: dict[str, Counter[str]] = {
            lang: Counter(_plain(w) for text in said for w in _WORD.findall(text)) for lang, said in texts.items()
        }

    def knows(self, word: str) -> bool:
        """Whether the plans or the glossary use the word, in either language (accents aside)."""
        plain = _plain(word)
        return any(plain in words for words in self._plan.values())

    def correct(self, text: str, lang: str) -> str:
        plan = self._plan.get(lang)
        if not plan:
            return text
        if lang in _CONTRACTED:
            text = _CONTRACTED[lang].sub(lambda m: _with_apostrophe(m.group(0), lang), text)
        dictionary = _dictionary(lang)

        def corrected(match: re.Match[str]) -> str:
            word = match.group(0)
            plain = _plain(word)
            if (
                len(plain) < MIN_LETTERS.get(lang, 4)
                or plain in plan
                or plain in dictionary
                or word.isupper()
                or (word[0].isupper() and text[: match.start()].strip(" ¿¡\"'"))
            ):
                return word
            near = {_plain(w) for w in _checker(lang).edit_distance_1(plain)}
            # A form of the same word ("hijos" for "hijo") is no typo to the stemmed keyword side.
            found = [w for w in near if w in plan and stem(w, lang) != stem(plain, lang)]
            return max(found, key=lambda w: (plan[w], w)) if found else word

        return _WORD.sub(corrected, text)


def _with_apostrophe(word: str, lang: str) -> str:
    """ "Whos" -> "Who's", "im" -> "I'm": the contraction, its first letter as typed."""
    contraction = _CONTRACTIONS[lang][word.lower()]
    return (word[0] if contraction[0] != "i" else "I") + contraction[1:]
