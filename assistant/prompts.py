"""Loads user-facing phrasing from prompts/<lang>.toml, so wording changes show up in review."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache
def _load(prompts_dir: Path, lang: str) -> dict[str, Any]:
    path = prompts_dir / f"{lang}.toml"
    if not path.exists():
        raise FileNotFoundError(f"no phrasing for language {lang!r}: {path} is missing")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def phrase(prompts_dir: Path, lang: str, name: str, **values: object) -> str:
    """The named phrase in `lang`, with {placeholders} filled in."""
    template = str(_load(prompts_dir, lang)[name])
    return template.format(**values) if values else template


def phrase_table(prompts_dir: Path, lang: str, name: str) -> dict[str, Any]:
    """A [table] of phrases in `lang`, e.g. the widget's labels."""
    return dict(_load(prompts_dir, lang)[name])
