"""`plan-assistant insights` and `plan-assistant migrate`: the store's commands, printed with rich."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.insights import TABLES, InsightsReport, build_report, table_rows, write_csv
from assistant.settings import Settings
from assistant.store.database import open_store
from assistant.store.questions import prepare

TITLES = {
    "by_week": "Questions by week and language",
    "statuses": "Answered, uncertain, not found",
    "unanswered_topics": "What the plans could not answer, by topic",
    "thumbs_down": "Thumbs down",
    "cited_sections": "Sections cited most",
}
# Long texts are cut in the terminal (never in CSV or JSON).
_WIDE = {"topic": 60, "examples": 80, "question": 50, "comment": 50, "answer": 50, "section": 60}


def print_report(report: InsightsReport, console: Console) -> None:
    asked = f"{report.questions} question{'s' if report.questions != 1 else ''}"
    weeks = f"{report.weeks} week{'s' if report.weeks != 1 else ''}"
    console.print(f"{asked} since {report.since:%Y-%m-%d} ({weeks})", style="bold")
    for name in TABLES:
        columns, rows = table_rows(report, name)
        table = Table(title=TITLES[name], title_justify="left", show_lines=False)
        for column in columns:
            numeric = column in ("questions", "distinct", "share", "citations")
            table.add_column(column, justify="right" if numeric else "left", max_width=_WIDE.get(column))
        for row in rows:
            table.add_row(*(Text(row[column]) for column in columns))  # text, not markup: "[email]" stays
        if not rows:
            table.caption = "none yet"
        console.print(table)


def insights(settings: Settings, csv_dir: Path | None, weeks: int | None, console: Console | None = None) -> int:
    from assistant.embedding import build_embedder

    console = console or Console()
    embedder = build_embedder("minilm", settings.model_cache_dir)
    report = build_report(open_store(settings), embedder, settings.topic_distance, weeks or settings.insights_weeks)
    print_report(report, console)
    if csv_dir is not None:
        for path in write_csv(report, csv_dir):
            console.print(f"wrote {path}")
    return 0


def migrate(settings: Settings) -> int:
    """Migrate the database, carry the old feedback file's ratings over, delete expired rows."""
    store = open_store(settings)
    prepare(store, settings)
    print(f"{store.describe()}: up to date")
    return 0
