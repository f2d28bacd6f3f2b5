"""What `plan-assistant` prints: each command run as a user runs it, its rich tables read back.

Rich sizes tables to the terminal, or to COLUMNS where there is none (as under pytest): these
tests fix COLUMNS, so a line longer than that is a layout fault, not a wide terminal.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.feedback import FeedbackStore
from assistant.schemas import FeedbackRequest
from assistant.service import PlanAssistant
from assistant.settings import Settings
from assistant.store.database import open_store
from tests.conftest import make_settings

WIDTH = 120
SITE_PLAN = (
    "Goal 1: Reading\n\nEvery K-2 classroom gets a reading aide four mornings a week, and we run a summer reading "
    "camp for students below benchmark.\n\n"
    "Goal 2: Technology\n\nReplace the Wi-Fi access points in all classroom buildings and buy a Chromebook cart "
    "for each grade level so every student can do research and coding projects.\n\n"
    "Goal 3: Families\n\nHold monthly family nights with Spanish and Armenian interpretation, and send a weekly "
    "newsletter home by text message."
)


@pytest.fixture(autouse=True)
def fixed_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))


@pytest.fixture
def shared(plan_assistant: PlanAssistant, monkeypatch: pytest.MonkeyPatch) -> PlanAssistant:
    """The commands run as written, on the session's assistant: building another (its models, the
    staff glossary's vectors) took about 25 s a command on 2 cores and would test nothing more."""
    monkeypatch.setattr("assistant.service.PlanAssistant", lambda settings, embedders: plan_assistant)
    monkeypatch.setattr("assistant.cli._embedders", lambda settings: {})
    return plan_assistant


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings, *argv: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("assistant.cli.get_settings", lambda: settings)
    code = main(list(argv))
    captured = capsys.readouterr()
    if "--json" not in argv:
        for line in captured.out.splitlines():
            assert len(line) <= WIDTH, line
    return code, captured


def _rows(out: str) -> list[list[str]]:
    """A rich table's lines split at its column gaps (two spaces or more)."""
    return [re.split(r"\s{2,}", line.strip()) for line in out.splitlines() if line.strip()]


def _cells(out: str, columns: list[str], key: str) -> list[dict[str, str]]:
    """A rich table read back: each row's cells, a wrapped cell's lines joined. `key` is a column that
    never wraps: a row begins on the line where it has a value."""
    lines = out.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith(columns[0]) and columns[-1] in line)
    starts = [lines[top].index(name) for name in columns]
    spans = dict(zip(columns, zip(starts, [*starts[1:], None])))
    rows: list[dict[str, list[str]]] = []
    for line in lines[top + 2 :]:  # after the header and its rule
        if len(line) != len(lines[top]):  # rich pads every line of a table to its width: this one is past it
            break
        cell = {name: line[start:end].strip() for name, (start, end) in spans.items()}
        if cell[key]:
            rows.append({name: [] for name in columns})
        for name, text in cell.items():
            if text:
                rows[-1][name].append(text)
    return [{name: " ".join(parts) for name, parts in row.items()} for row in rows]


def test_feedback_is_a_table_of_whole_texts_and_its_json_is_the_stored_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)
    code, printed = _run(monkeypatch, capsys, settings, "feedback")
    assert code == 0 and "no feedback yet" in printed.out
    store = FeedbackStore(open_store(settings))
    question = "Will my kid learn to handle money, and where in the plans does it say so, page and section please?"
    rating = {
        "question": question,
        "answer": "Life Skills [1]",
        "lang": "en",
        "rating": "up",
        "comment": "Clear [1] and [bold]short[/bold]",  # square brackets are words here, not markup
        "grounded": True,
        "citations": [{"doc_id": "strategic-plan", "page": 3}, {"doc_id": "planning-for-the-future", "page": None}],
    }
    store.add(FeedbackRequest.model_validate(rating))
    store.add(FeedbackRequest.model_validate(rating | {"rating": "down", "lang": "es", "comment": "No era eso"}))

    code, printed = _run(monkeypatch, capsys, settings, "feedback")
    assert code == 0
    columns = ["id", "time (UTC)", "rating", "lang", "grounded", "question", "comment", "cited"]
    assert _rows(printed.out)[0] == columns
    assert set(printed.out.splitlines()[1].strip()) == {"─"}  # the header's rule
    first, second = _cells(printed.out, columns, key="id")
    # A long question wraps inside its column: every word printed, none cut off.
    assert first["question"] == second["question"] == question
    assert (first["rating"], first["lang"], first["grounded"]) == ("up", "en", "yes")
    assert first["comment"] == "Clear [1] and [bold]short[/bold]" and second["comment"] == "No era eso"
    assert first["cited"] == "strategic-plan p.3 planning-for-the-future"  # one per line
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", first["time (UTC)"])
    assert printed.out.rstrip().splitlines()[-1] == "2 ratings: 1 up, 1 down"

    code, printed = _run(monkeypatch, capsys, settings, "feedback", "--json")
    assert code == 0 and printed.out == json.dumps(store.all(), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.slow
def test_align_prints_goals_by_name_parts_once_the_scale_and_the_same_json_as_the_api(
    shared: PlanAssistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proposal = tmp_path / "site-plan.md"
    proposal.write_text(SITE_PLAN)
    settings = shared.settings
    reply = shared.align(SITE_PLAN)
    code, printed = _run(monkeypatch, capsys, settings, "align", "--file", str(proposal))
    assert code == 0
    out = printed.out
    columns = ["goal", "where in the plan", "match", "score", "parts", "closest words of the plan"]
    assert _rows(out)[0] == columns
    rows = _cells(out, columns, key="match")
    assert [row["goal"] for row in rows] == [goal.title for goal in reply.goals]
    for goal, row in zip(reply.goals, rows):
        assert row["where in the plan"] == (f"{goal.framework} > {goal.group}" if goal.group else goal.framework)
        assert row["match"] == {"aligned": "strong match", "partial": "some match"}[goal.verdict]
        assert (row["score"], row["parts"]) == (f"{goal.score:.2f}", ", ".join(map(str, goal.parts)))
        assert row["closest words of the plan"].split('"')[1].removesuffix(" …") in goal.evidence[0].text
    assert not any(goal.goal_id in out for goal in reply.goals)
    parts = _cells(out, ["part", "text"], key="part")
    assert [(row["part"], row["text"]) for row in parts] == [(str(p.n), p.excerpt) for p in reply.parts]
    flat = " ".join(out.split())
    for part in reply.parts:
        assert flat.count(part.excerpt) == 1, part.excerpt  # listed once, not beside every goal
    assert f"strong match from {reply.scale.aligned:.2f}, some match from {reply.scale.partial:.2f}" in flat
    assert reply.not_addressed and all(goal.title in flat for goal in reply.not_addressed_goals)
    assert not any(goal_id in out for goal_id in reply.not_addressed)

    code, printed = _run(monkeypatch, capsys, settings, "align", SITE_PLAN, "--json")
    assert code == 0 and printed.out == reply.model_dump_json(indent=2) + "\n"
    code, printed = _run(monkeypatch, capsys, settings, "align", "")
    assert code == 2 and printed.err.startswith("error: ")


@pytest.mark.slow
def test_framework_prints_each_goal_indented_under_its_parent_with_page_and_id(
    shared: PlanAssistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_assistant = shared
    framework = plan_assistant.framework()
    code, printed = _run(monkeypatch, capsys, plan_assistant.settings, "framework")
    assert code == 0
    lines = [line.rstrip() for line in printed.out.splitlines()]
    assert _rows(lines[0]) == [["page", "goal (its id below)"]]
    at = lines[0].index("goal")  # where the goal column starts
    depth: dict[str | None, int] = {None: -1}
    for goal in framework.goals:
        depth[goal.goal_id] = depth[goal.parent] + 1
        indent = "  " * depth[goal.goal_id]
        named = lines.index(next(line for line in lines if line[at:] == indent + goal.title))
        assert lines[named][:at].strip() == (str(goal.page) if goal.page else "web"), goal.title
        assert lines[named + 1][at:] == indent + goal.goal_id  # its id under it, as far in
    assert depth["pusd-graduate-profile/life-skills"] == 2  # a goal under a group under a framework

    code, printed = _run(monkeypatch, capsys, plan_assistant.settings, "framework", "--json")
    assert code == 0 and printed.out == framework.model_dump_json(indent=2) + "\n"


@pytest.mark.slow
def test_ingest_shows_what_it_embeds_on_a_progress_bar_to_the_end_and_prints_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "site-plan.md").write_text("# A site plan\n\n" + SITE_PLAN.replace("Goal ", "## Goal "))
    settings = make_settings(tmp_path / "data", corpus, embedding_models=["minilm"], english_only_models=["minilm"])
    code, printed = _run(monkeypatch, capsys, settings, "ingest")
    assert code == 0
    embedded = int(re.search(r"embedded (\d+) new rows", printed.out).group(1))  # type: ignore[union-attr]
    assert embedded > 0
    bar = [line for line in printed.err.splitlines() if "embedding (minilm)" in line]
    # The bar names the rows the ingest embedded, and runs to its end with the time it took.
    assert bar and f"embedding (minilm) {embedded} rows" in bar[-1] and "100%" in bar[-1]

    code, printed = _run(monkeypatch, capsys, settings, "ingest")  # nothing new: no model, no bar
    assert code == 0 and "embedded 0 new rows" in printed.out and "embedding (" not in printed.err


def test_ask_explain_prints_each_stage_then_the_answer(
    shared: PlanAssistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("ask", "What is the mission of PUSD?", "--explain", "--json")
    code, captured = _run(monkeypatch, capsys, shared.settings, *argv)
    trace, reply = captured.out.split("\n\n{", 1)
    stages = [line.split(":", 1)[0] for line in trace.splitlines() if not line.startswith(" ")]
    assert code == 0 and all(len(line) <= 100 for line in trace.splitlines())
    assert stages == ["question", "retrieve", "rank", "select", "decide", "compose"]
    status = json.loads("{" + reply)["status"]
    assert re.search(rf"^decide: {status}", trace, re.M)  # the trace says what the reply says
