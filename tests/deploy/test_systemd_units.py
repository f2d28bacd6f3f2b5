"""The systemd units of deploy/: read key by key, checked against each other and against the nginx
examples, and verified by systemd's own `systemd-analyze verify` (which needs no running systemd)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.files import DEPLOY, environment_file, exec_start, templated, unit_file

API = DEPLOY / "plan-assistant@.service"
INGEST = DEPLOY / "plan-assistant-ingest.service"
CHROMA = DEPLOY / "plan-assistant-chroma.service"
UNITS = (API, INGEST, CHROMA)
ENV_FILE = "/etc/plan-assistant/plan-assistant.env"
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes"}


def _one(unit: dict[str, dict[str, list[str]]], key: str) -> str:
    (value,) = unit["Service"][key]
    return value


def test_the_api_processes_run_as_a_dedicated_user_from_their_state_folder() -> None:
    unit = unit_file(API)
    assert _one(unit, "User") == _one(unit, "Group") == "plan-assistant"
    assert _one(unit, "WorkingDirectory") == "/var/lib/plan-assistant"
    assert _one(unit, "StateDirectory") == "plan-assistant"  # systemd makes it, owned by that user
    assert _one(unit, "EnvironmentFile") == ENV_FILE
    assert _one(unit, "Restart") == "on-failure"
    assert "ExecStartPre" not in unit["Service"]  # no ingest at start: see the unit's comment
    assert exec_start(API, instance="8010") == [
        "/opt/plan-assistant/.venv/bin/plan-assistant", "serve", "--host", "127.0.0.1", "--port", "8010",
    ]  # fmt: skip
    assert all(_one(unit, key) == value for key, value in HARDENING.items())
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_ingest_is_a_oneshot_with_the_same_user_and_settings() -> None:
    ingest, api = unit_file(INGEST), unit_file(API)
    assert _one(ingest, "Type") == "oneshot"
    for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile", "StateDirectory"):
        assert ingest["Service"][key] == api["Service"][key], key
    assert exec_start(INGEST)[1:] == ["ingest"]
    assert "Install" not in ingest  # started by hand (or by the upgrade steps), never at boot


def test_chroma_listens_on_loopback_behind_the_token_check_as_a_user_of_its_own() -> None:
    unit = unit_file(CHROMA)
    assert _one(unit, "DynamicUser") == "yes" and "User" not in unit["Service"]
    command = exec_start(CHROMA)
    host, port = command[command.index("--host") + 1], command[command.index("--port") + 1]
    assert host == "127.0.0.1"
    checker = (DEPLOY / "nginx" / "chroma-auth.conf").read_text()
    assert f"proxy_pass http://{host}:{port};" in checker
    # The API processes talk to the token check, never to Chroma's own port.
    listen = re.search(r"^\s*listen 127\.0\.0\.1:(\d+);", checker, flags=re.MULTILINE)
    assert listen is not None
    settings = environment_file(DEPLOY / "plan-assistant.env")
    assert settings["PLAN_ASSISTANT_CHROMA_HOST"] == "127.0.0.1"
    assert settings["PLAN_ASSISTANT_CHROMA_PORT"] == listen.group(1) != port


def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package): the units were only parsed")
    bin_dir = Path(sys.executable).parent
    for unit in UNITS:  # the venv's commands where /opt/plan-assistant's will be: verify checks they exist
        text = templated(unit.read_text(), {"/opt/plan-assistant/.venv/bin/": f"{bin_dir}/"})
        (tmp_path / unit.name).write_text(text)
    names = ["plan-assistant@8010.service", INGEST.name, CHROMA.name]  # a template is verified as an instance
    result = subprocess.run(
        [analyze, "verify", "--man=no", *(f"./{name}" for name in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    # verify exits 0 even for an unknown key or a bad value: anything it says is a finding.
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result.stderr


def test_systemd_analyze_verify_would_notice_a_typo(tmp_path: Path) -> None:
    """The check above can fail: the same run on a unit with a misspelt key has something to say."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    bin_dir = Path(sys.executable).parent
    swaps = {"/opt/plan-assistant/.venv/bin/": f"{bin_dir}/", "Type=oneshot": "Tpye=oneshot"}
    text = templated(INGEST.read_text(), swaps)
    (tmp_path / INGEST.name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", "--man=no", f"./{INGEST.name}"], cwd=tmp_path, capture_output=True, text=True
    )
    assert "Unknown key" in result.stderr and "Tpye" in result.stderr
