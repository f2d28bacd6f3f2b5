"""Answer-quality evaluation: data in JSONL, pure metrics, a runner that gates CI."""
