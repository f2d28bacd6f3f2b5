"""Spanish stems -> the English stems they translate to, learned from the plans' translations
(learn/lexicon.py builds lexicon-es-en.json): a Spanish question's keywords for plans published
only in English."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

LEXICON = Path(__file__).with_name("lexicon-es-en.json")


class Lexicon:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self._table = table

    def translate(self, terms: Sequence[str]) -> list[str]:
        """Each term's English stems; a term the lexicon lacks as it is (a name, an acronym, a number)."""
        return [english for term in terms for english in self._table.get(term, [term])]


@cache
def spanish_to_english() -> Lexicon:
    return Lexicon(json.loads(LEXICON.read_text(encoding="utf-8")))
