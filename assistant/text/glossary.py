"""Everyday words -> the plan's words for the same idea: query expansion with no generative model.

Parents write "handle money" and staff "school psychologist" where the plan says "financial
literacy" and "well-being". A glossary file (TOML, one [[term]] table per idea) lists the phrases
people use and the plan's own words for the idea. A text that uses a phrase is read together with
the plan's words: in vector space it is moved toward their embedding, and a question's keyword
query also searches for them. The glossaries are written from the plan texts, blind to the
evaluation data (see the header of each file).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.text.keywords import fold_accents

# A possessive, an article or (in Spanish) an object pronoun people put inside a phrase: "manage
# time" is said "manage his time", "quién supervisa" is said "¿quién lo supervisa?".
_DETERMINER = (
    r"(?:(?:his|her|their|my|your|our|its|the|a|an"
    r"|su|sus|mi|mis|el|la|los|las|un|una|lo|le|les|se|me|nos)\s+)?"
)


def _phrase_regex(phrase: str) -> str:
    return (r"\s+" + _DETERMINER).join(re.escape(word) for word in fold_accents(phrase).split())


def _phrase_pattern(phrases: Sequence[str]) -> re.Pattern[str]:
    # Whole words, case and accents aside: parents typing on phones often leave accents out.
    # Longest first, so that a pattern's match is its longest phrase at that place.
    alternatives = sorted((_phrase_regex(p) for p in phrases), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def plain_words(text: str) -> str:
    """Lower-case words without accents, one space apart: "Open-Enrollment" -> "open enrollment"."""
    return " ".join(re.findall(r"[^\W_]+", fold_accents(text).lower()))


@dataclass(frozen=True)
class Glossary:
    """The plan's words for each idea, and the phrases that name each idea in everyday words."""

    plan_words: list[str]
    phrases: tuple[tuple[tuple[str, ...], int], ...]  # (ways of saying it, index into plan_words)
    _patterns: list[tuple[re.Pattern[str], int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = [(_phrase_pattern(said), plan) for said, plan in self.phrases if said]
        object.__setattr__(self, "_patterns", patterns)

    @classmethod
    def load(cls, path: Path, said: str, plan: str = "plan") -> Glossary:
        """`said` and `plan` name the keys of a term's phrases and of its plan words; a missing
        file is an empty glossary."""
        terms = tomllib.loads(path.read_text(encoding="utf-8"))["term"] if path.is_file() else []
        terms = [term for term in terms if term.get(said) and term.get(plan)]
        plan_words = list(dict.fromkeys(str(term[plan]) for term in terms))
        phrases = tuple((tuple(map(str, term[said])), plan_words.index(str(term[plan]))) for term in terms)
        return cls(plan_words, phrases)

    def bridging(self, plan_text: str) -> Glossary:
        """Only the phrases the plan itself never uses. A question that says "master plan" or
        "facilities" already shares the plan's words: expanding it would only blur it."""
        words = f" {plain_words(plan_text)} "
        kept = tuple(
            (tuple(p for p in said if f" {plain_words(p)} " not in words), plan) for said, plan in self.phrases
        )
        return Glossary(self.plan_words, kept)

    def found(self, text: str) -> list[int]:
        """Which of `plan_words` the text calls by one of the glossary's phrases, in order. A phrase
        inside a longer one names nothing of its own: "not just with grades" is not "grades"."""
        folded = fold_accents(text)
        spans = [(m.start(), m.end(), plan) for pattern, plan in self._patterns for m in pattern.finditer(folded)]
        return sorted(
            {
                plan
                for start, end, plan in spans
                if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
            }
        )

    def expansion(self, text: str) -> list[str]:
        """The plan's words for every idea the text names in everyday words."""
        return [self.plan_words[i] for i in self.found(text)]
