"""A Spanish -> English lexicon of the plans' words, learned from the translations that follow their
originals in the training districts' corpora and PUSD's. (Every PUSD passage has its translation,
so the ranking this lexicon feeds never scores PUSD's passages: its evaluation cannot move.)

A Spanish question about plans published only in English shares almost no keyword with them, so
only the multilingual model ranks their passages for it. Each translated passage pairs with its
original sentence by sentence (ingest/chunker.py: chunk_translation), and a Spanish word and an
English word that keep appearing in the same pairs translate each other: the lexicon keeps, for
each Spanish stem, the English stems whose Dice coefficient over the sentence pairs is high.

    .venv/bin/python -m learn.lexicon     # writes assistant/text/lexicon-es-en.json
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.text.keywords import tokens
from evals.districts import load_district_sets
from ingest.chunker import chunk_document, chunk_translation
from ingest.corpus import load_corpus

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assistant" / "text" / "lexicon-es-en.json"
MIN_PAIRS = 2  # a pair of words seen together once is as likely chance as translation
MIN_DICE = 0.3
PER_WORD = 3  # English stems kept for a Spanish one, at most
NEAR_BEST = 0.75  # ...and only those nearly as tied to it as the likeliest


def sentence_pairs(corpus: Path, max_words: int = 100) -> list[tuple[str, str]]:
    """(original, translation) text of each sentence pair of the corpus's translations; a chunk
    whose sentences do not pair one to one gives one pair of its whole text."""
    documents = load_corpus(corpus, None)
    by_id = {document.doc_id: document for document in documents}
    pairs: list[tuple[str, str]] = []
    for translation in (d for d in documents if d.translation_of in by_id):
        original = by_id[str(translation.translation_of)]
        originals = {chunk.id: chunk for chunk in chunk_document(original, max_words)}
        for chunk in chunk_translation(original, translation, max_words):
            source = originals.get(chunk.original_id)
            if source is None:
                continue
            if len(source.units) == len(chunk.units):
                units = zip(source.units, chunk.units)
                pairs += [(f"{source.section}\n{a}", f"{chunk.section}\n{b}") for a, b in units]
            else:
                pairs.append((f"{source.section}\n{source.text}", f"{chunk.section}\n{chunk.text}"))
    return pairs


def learn(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """For each Spanish stem, the English stems it translates to, the likeliest first."""
    together: Counter[tuple[str, str]] = Counter()
    english: Counter[str] = Counter()
    spanish: Counter[str] = Counter()
    for original, translated in pairs:
        en, es = set(tokens(original, "en")), set(tokens(translated, "es"))
        english.update(en)
        spanish.update(es)
        together.update((s, e) for s in es for e in en)
    candidates: dict[str, list[tuple[float, str]]] = {}
    for (s, e), both in together.items():
        dice = 2 * both / (spanish[s] + english[e])
        if both >= MIN_PAIRS and dice >= MIN_DICE:
            candidates.setdefault(s, []).append((dice, e))
    ranked = {s: sorted(found, reverse=True)[:PER_WORD] for s, found in sorted(candidates.items())}
    return {s: [e for dice, e in found if dice >= NEAR_BEST * found[0][0]] for s, found in ranked.items()}


def corpora() -> list[Path]:
    return [ROOT / "corpus", *(district.corpus_dir for district in load_district_sets(ROOT / "training" / "districts"))]


def main(argv: Sequence[str] | None = None) -> int:
    pairs = [pair for corpus in corpora() for pair in sentence_pairs(corpus)]
    lexicon = learn(pairs)
    OUT.write_text(json.dumps(lexicon, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(pairs)} sentence pairs -> {len(lexicon)} Spanish stems: {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
