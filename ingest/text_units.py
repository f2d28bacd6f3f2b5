"""Pure text helpers shared by the chunker, the answer writer and the evaluations."""

from __future__ import annotations

import re

LIST_MARKER = re.compile(r"^\s*(?:[-•*▪◦]|\d{1,2}[.)])\s+")
_EMPHASIS = re.compile(r"\*\*|__")
_SPACE = re.compile(r"\s+")
# A sentence ends at . ! or ? followed by space and a capital or an opening quote or bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z\"'(\[¿¡])")
# Periods that do not end a sentence: abbreviations, and short numbers ("Recommendation 1. To ...").
_NO_BREAK_BEFORE = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|St|No|U\.S)|\b\d{1,2})\.$")


def split_marker(line: str) -> tuple[str, str]:
    """Split a list line into its marker and its text: "1. Foo" -> ("1.", "Foo")."""
    match = LIST_MARKER.match(line)
    if not match:
        return "", line.strip()
    return match.group(0).strip(), line[match.end() :].strip()


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences without breaking at abbreviations or list numbers."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start() + len(match.group(0).rstrip())].strip()
        head = text[start : match.start()].rstrip()
        if _NO_BREAK_BEFORE.search(head):
            continue
        if candidate:
            pieces.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def normalize_for_match(text: str) -> str:
    """Fold presentation so verbatim checks compare wording only.

    Removes list markers at line starts, emphasis markers ("**bold**" in the source becomes bold
    type in the PDF), and folds all white space (including no-break spaces) to single spaces.
    """
    lines = [LIST_MARKER.sub("", line) for line in text.replace("\u00a0", " ").splitlines()]
    return _SPACE.sub(" ", _EMPHASIS.sub("", " ".join(lines))).strip()


def word_count(text: str) -> int:
    """Words as a reader counts them."""
    return len(text.split())


def ends_in_colon(unit: str) -> bool:
    """Whether a unit introduces what follows it ("... to download reports:")."""
    return unit.rstrip().endswith(":")
