"""MiniLM's rows a second on one thread by batch size, on the texts an ingest embeds.

    .venv/bin/python bench/bench_embed.py [--pages 100] [--batches 1,2,4,8,16,32] [--slices 8]

A library of --pages pages is published as bench/bench_scale.py publishes it (bench/scale_corpus.py)
and chunked as the ingest chunks it; its passage and sentence rows' texts (chunk_records) are
sorted by length and cut into the ingest's slices of 256 (ingest/embed_rows.py), so each batch
holds texts of nearly one length, and --slices of them, drawn at random, are embedded at each
batch size by the bundled ONNX model (MiniLMEmbedder.embed_documents).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import MiniLMEmbedder  # noqa: E402
from assistant.index.store import chunk_records  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench import scale_corpus  # noqa: E402
from ingest.corpus import load_corpus  # noqa: E402
from ingest.embed_rows import SLICE  # noqa: E402
from ingest.run import chunk_corpus  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--batches", default="1,2,4,8,16,32")
    parser.add_argument("--slices", type=int, default=8)
    parser.add_argument("--model-cache", type=Path, default=ROOT / ".data" / "models")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-embed-") as scratch:
        scale_corpus.build_corpus(Path(scratch), args.pages)
        chunks = chunk_corpus(load_corpus(Path(scratch)), Settings().chunk_max_words)
    texts = sorted({record.embed_text for record in chunk_records(chunks)}, key=len)
    slices = [texts[i : i + SLICE] for i in range(0, len(texts), SLICE)]
    picked = random.Random(0).sample(slices, min(args.slices, len(slices)))
    rows = sum(map(len, picked))
    model = MiniLMEmbedder(args.model_cache, threads=1)
    model.embed_documents(picked[0][:8])  # the session's first call allocates
    print(f"{rows} rows ({len(picked)} slices of {len(texts)} texts), one thread, load {os.getloadavg()[0]:.2f}")
    for batch in (int(b) for b in args.batches.split(",")):
        started = time.perf_counter()
        for part in picked:
            model.embed_documents(part, batch_size=batch)
        print(f"batch {batch:>3}: {rows / (time.perf_counter() - started):6.1f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
