"""Keyword side of retrieval: stemmed tokens, BM25 over chunks, and idf-weighted coverage.

English and Spanish each have their own stemmer and stop words. Spanish words are compared
without accents, because parents typing on phones often leave them out ("educacion").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache

import numpy as np
import snowballstemmer
from rank_bm25 import BM25Okapi
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from stop_words import get_stop_words

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")


def fold_accents(text: str) -> str:
    """ "educación" -> "educacion" (ñ folds to n too: both sides of a match fold the same way)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_STEMMERS = {"en": snowballstemmer.stemmer("english"), "es": snowballstemmer.stemmer("spanish")}
_STOP_WORDS = {
    "en": frozenset(ENGLISH_STOP_WORDS),
    "es": frozenset(fold_accents(w) for w in get_stop_words("es")),
}
# Words that only frame a question ("tell me about ...") and say nothing of its topic; the child
# a parent asks about ("will my son ...") is who the question is for; "things" and "stuff" stand
# for no topic ("when things get tough").
_QUESTION_WORDS = {
    "en": {
        *["tell", "does", "say", "talk", "mention", "plan", "plans", "district", "pusd", "want", "know"],
        *["kid", "kids", "child", "children", "son", "daughter"],
        *["thing", "things", "stuff"],
    },
    "es": {
        *["dice", "decir", "menciona", "plan", "planes", "distrito", "pusd", "quiero", "saber"],
        *["hijo", "hija", "hijos", "nino"],
        *["cosa", "cosas"],
    },
}


@lru_cache(maxsize=100_000)
def stem(word: str, lang: str) -> str:
    stemmed = str(_STEMMERS[lang].stemWord(word))  # the pure-Python stemmer is the slow part of a request
    if lang == "es" and stemmed.endswith("i") and word.endswith(("ia", "ias")):
        # Spanish words arrive without accents, which hides the "-ía" ending from the stemmer:
        # "tecnologia" gave "tecnologi" and "tecnologicas" "tecnolog", so "¿y la tecnología?"
        # missed "infraestructuras tecnológicas". Both sides are stemmed here, so both agree.
        stemmed = stemmed[:-1]
    return stemmed


# "Master plan" is a name, one word, in questions and passages alike. In Spanish this matters
# most: "maestro" alone is a teacher, and "el plan maestro" must not make every passage about the
# master plan a match for "¿y los maestros?". As a name of a plan, it frames a question as
# "plan" does ("What does the master plan say about teachers?" asks about teachers).
_PLAN_NAMES = {
    "en": (re.compile(r"\bmaster plans?\b"), " masterplan "),
    "es": (re.compile(r"\b(?:plan(?:es)?|planificacion) maestr[oa]s?\b"), " planmaestro "),
}


def words(text: str, lang: str = "en") -> list[str]:
    """Lower-cased content words as written (Spanish without accents), before stemming."""
    text = text.lower() if lang == "en" else fold_accents(text.lower())
    name, as_one_word = _PLAN_NAMES[lang]
    text = name.sub(as_one_word, text)
    stop = _STOP_WORDS[lang]
    # "the Graduate Profile's values" names the profile: a possessive is the word it belongs to.
    return [w for w in (_POSSESSIVE.sub("", w) for w in _WORD.findall(text)) if w not in stop]


def tokens(text: str, lang: str = "en") -> list[str]:
    """Lower-cased, stemmed content words."""
    return [stem(w, lang) for w in words(text, lang)]


_FRAMING = {
    lang: frozenset(stem(fold_accents(w), lang) for w in [*framing, _PLAN_NAMES[lang][1].strip()])
    for lang, framing in _QUESTION_WORDS.items()
}


def question_words(text: str, lang: str = "en") -> list[str]:
    """Words of a question as written, without the words that only frame it."""
    return [w for w in words(text, lang) if stem(w, lang) not in _FRAMING[lang]]


def heading_words(text: str, lang: str = "en") -> list[str]:
    """A heading's words as a question names them: "PUSD", "district" and years only qualify a
    heading ("PUSD GRADUATE PROFILE" is named by "the Graduate Profile", "OUR VISION FOR 2020" by
    "the vision"); a plan's name is its subject ("PUSD Educational Master Plan")."""
    qualifiers = _FRAMING[lang] - {stem(_PLAN_NAMES[lang][1].strip(), lang)}
    return [w for w in words(text, lang) if stem(w, lang) not in qualifiers and not w.isdigit()]


def question_tokens(text: str, lang: str = "en") -> list[str]:
    """Tokens of a question, without the words that only frame it."""
    return [stem(w, lang) for w in question_words(text, lang)]


# Suffixes the Snowball stemmers keep that make a noun or adverb of a word ("safety", "safely").
_DERIVATIONAL_SUFFIXES = {"en": ("ti", "li", "ness"), "es": ("idad", "mente")}


class KeywordIndex:
    """BM25 over each chunk's heading path and text, plus the idf table used for coverage."""

    def __init__(self, texts: Sequence[str], lang: str = "en") -> None:
        self.lang = lang
        self._docs = [tokens(text, lang) for text in texts]
        self._bm25 = BM25Okapi(self._docs) if texts else None
        count = len(self._docs)
        frequency: dict[str, int] = {}
        for doc in self._docs:
            for term in set(doc):
                frequency[term] = frequency.get(term, 0) + 1
        self.idf = {term: math.log(1 + count / df) for term, df in frequency.items()}
        # A word the corpus never uses weighs like the rarest word it does use.
        self.unknown_idf = math.log(1 + count) if count else 1.0
        self._vocabulary = frozenset(self.idf)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        if self._bm25 is None or not query:
            return np.zeros(len(self._docs))
        return np.asarray(self._bm25.get_scores(list(query)))

    def known(self, term: str) -> str:
        """A stem the corpus lacks, read as the corpus stem it derives from by a suffix the
        stemmer leaves on ("safeti" of "safety" is "safe"); otherwise the stem itself."""
        if term in self._vocabulary:
            return term
        for suffix in _DERIVATIONAL_SUFFIXES.get(self.lang, ()):
            base = term.removesuffix(suffix)
            if base != term and len(base) >= 4 and base in self._vocabulary:
                return base
        return term

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.unknown_idf)

    def uses(self, word: str) -> bool:
        """Whether the corpus uses the word (its stems), or a word it is short for ("prep" for
        "preparatory": four letters at least); a stop word, having none, counts as used."""
        return all(
            term in self._vocabulary or (len(term) >= 4 and any(known.startswith(term) for known in self._vocabulary))
            for term in tokens(word, self.lang)
        )

    def coverage(self, query: Sequence[str], found_in: AbstractSet[str] | None = None) -> float:
        """Idf-weighted share of query terms present in `found_in` (default: anywhere in the corpus)."""
        terms = set(query)
        if not terms:
            return 0.0
        present = found_in if found_in is not None else self._vocabulary
        total = sum(self.weight(t) for t in terms)
        return sum(self.weight(t) for t in terms if t in present) / total
