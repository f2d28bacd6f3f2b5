"""What plan-assistant prints for people: tables, drawn by rich.

Every text in a table comes from a plan, a proposal or a parent: consoles here read no markup, so a
"[1]" in a comment is printed as written. Widths come from the terminal, or COLUMNS when there is
none (80 by rich's default): a long cell wraps inside its column instead of being cut.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from assistant.schemas import AlignReply, Framework

BANDS = {"aligned": "strong match", "partial": "some match"}


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False)


def _table(*columns: str, whole: Sequence[str] = (), **options: object) -> Table:
    """Columns named in `whole` are never wrapped (short values, ids); the others wrap at words."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True, **options)  # type: ignore[arg-type]
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in whole)
    return table


def _clip(text: str, width: int) -> str:
    """At most `width` characters, cut between words."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


def feedback_table(rows: Sequence[dict]) -> Table:
    """One row a rating; the question and comment whole (wrapped), each cited page on its own line."""
    columns = ("id", "time (UTC)", "rating", "lang", "grounded", "question", "comment", "cited")
    # The texts wrap, the rest is kept whole: at 120 columns a cited document id fits on its line.
    table = _table(*columns, whole=columns[:5])
    table.columns[0].justify = "right"
    for column in table.columns[5:]:
        column.min_width = 12
    for row in rows:
        cited = "\n".join(c["doc_id"] + (f" p.{c['page']}" if c["page"] else "") for c in row["citations"])
        when = row["time"][:16].replace("T", " ")  # stored as ISO 8601 in UTC; minutes are enough here
        grounded = "yes" if row["grounded"] else "no"
        table.add_row(
            str(row["id"]), when, row["rating"], row["lang"], grounded, row["question"], row["comment"], cited
        )
    return table


def _where(framework: str, group: str | None) -> str:
    return f"{framework} > {group}" if group else framework


def print_alignment(out: Console, reply: AlignReply) -> None:
    """The goals (strongest first), the proposal's parts once, the scale, the near misses, the summary."""
    if reply.goals:
        columns = ("goal", "where in the plan", "match", "score", "parts", "closest words of the plan")
        goals = _table(*columns, whole=("match", "score", "parts"), expand=True)
        goals.columns[3].justify = "right"
        for column, share in zip(goals.columns, (2, 2, None, None, None, 4)):
            column.ratio = share  # the plan's words get most of the room
        for goal in reply.goals:
            best = goal.evidence[0] if goal.evidence else None
            quote = f'{f"p.{best.page}: " if best.page else ""}"{_clip(best.text, 100)}"' if best else ""
            parts = ", ".join(map(str, goal.parts))
            where = _where(goal.framework, goal.group)
            goals.add_row(goal.title, where, BANDS[goal.verdict], f"{goal.score:.2f}", parts, quote)
        out.print(goals)
    if len(reply.parts) > 1:
        pieces = _table("part", "text", title="Parts of the proposal", title_justify="left")
        pieces.columns[0].justify = "right"
        for part in reply.parts:
            pieces.add_row(str(part.n), part.excerpt)
        out.print(pieces)
    scale = reply.scale
    out.print(
        f"score: how far a goal stands out from the plan's other goals for the closest part; strong match from "
        f"{scale.aligned:.2f}, some match from {scale.partial:.2f}, close but not addressed from {scale.near:.2f}"
    )
    near = "; ".join(f"{g.title} ({_where(g.framework, g.group)})" for g in reply.not_addressed_goals)
    out.print(f"\nnot addressed: {near or '-'}\n{reply.summary}")


def framework_table(framework: Framework) -> Table:
    """Frameworks, groups and goals in document order, each indented under its parent, its id below it."""
    table = _table("page", "goal (its id below)", whole=("page",))
    table.columns[0].justify = "right"
    depth: dict[str | None, int] = {None: -1}
    for goal in framework.goals:
        depth[goal.goal_id] = depth.get(goal.parent, -1) + 1
        named = Text(goal.title, style="bold" if goal.role == "framework" else "")
        named.append("\n" + goal.goal_id, style="dim")
        indented = Padding(named, (0, 0, 0, 2 * depth[goal.goal_id]))  # a wrapped line stays indented
        table.add_row(str(goal.page) if goal.page else "web", indented)
    return table


PHASE_NAMES = {
    "reading": "reading the corpus",
    "embedding": "embedding",
    "writing": "writing the new index",
    "checking": "checking it",
    "switching": "serving it",
}


class IngestProgress:
    """The ingest's phases on bars (on stderr), each "N of M" with the time left: fed by
    run_ingest's on_progress callback; `loading(key)` adds a model to the embedding bar's name
    (the models embed side by side, ingest/embed_rows.py)."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self._models: list[str] = []

    def _name(self, phase: str) -> str:
        models = f" ({', '.join(self._models)})" if phase == "embedding" and self._models else ""
        return PHASE_NAMES.get(phase, phase) + models

    def tell(self, done: int, total: int, phase: str) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._progress.add_task(self._name(phase), total=total)
        self._progress.update(task, completed=done, total=total, description=self._name(phase))

    def loading(self, key: str) -> None:
        self._models.append(key)
        if self._progress is not None and "embedding" in self._tasks:
            self._progress.update(self._tasks["embedding"], description=self._name("embedding"))


@contextmanager
def ingest_progress(enabled: bool = True) -> Iterator[IngestProgress]:
    """Yields the IngestProgress to feed; draws nothing when not `enabled`."""
    if not enabled:
        yield IngestProgress(None)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} of {task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console(stderr=True)) as progress:
        yield IngestProgress(progress)
