"""Reading the example files of deploy/ the way their programs read them, and swapping in what a
test needs (ports, paths, a name) with a check that each swapped text is still in the example, so
a test never silently runs a configuration other than the one documented."""

from __future__ import annotations

import re
import shlex
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"

# What systemd's EnvironmentFile= reader leaves alone: a single-quoted value is taken whole, and a
# bare value with none of these characters means the same to systemd as to a shell or dotenv.
_SINGLE_QUOTED = re.compile(r"'([^']*)'")
_PLAIN = re.compile(r"[^\s'\"\\$`]*")


def templated(text: str, swaps: dict[str, str]) -> str:
    """`text` with each key replaced by its value; a key no longer in the text fails the test."""
    for old, new in swaps.items():
        assert old in text, f"{old!r} is no longer in the example: update tests/deploy/ to match"
        text = text.replace(old, new)
    return text


def environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them. Only the forms whose meaning is
    not in doubt are accepted: systemd strips quotes in the middle of a bare value (["a"] becomes
    [a], no longer JSON), so such a line fails here rather than in production."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, separator, value = line.partition("=")
        assert separator and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"{path.name}:{number}: not KEY=value"
        if quoted := _SINGLE_QUOTED.fullmatch(value):
            values[key] = quoted.group(1)
        else:
            assert _PLAIN.fullmatch(value), f"{path.name}:{number}: quote the value in single quotes, whole"
            values[key] = value
    return values


def unit_file(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values, in order]}} (keys such as After= may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if header := re.fullmatch(r"\[([A-Za-z]+)\]", stripped):
            current = sections.setdefault(header.group(1), defaultdict(list))
            continue
        key, separator, value = stripped.partition("=")
        assert current is not None and separator, f"{path.name}:{number}: a key outside a section, or no '='"
        current[key.strip()].append(value.strip())
    return sections


def exec_start(path: Path, instance: str = "", bin_dir: Path | None = None) -> list[str]:
    """The unit's ExecStart= as an argument list, %i as `instance` and the venv of
    /opt/plan-assistant as `bin_dir`'s."""
    (command,) = unit_file(path)["Service"]["ExecStart"]
    if bin_dir is not None:
        command = templated(command, {"/opt/plan-assistant/.venv/bin/": f"{bin_dir}/"})
    return [part.replace("%i", instance) for part in shlex.split(command)]
