"""How a batch run's results read: a progress line per item, the summary table, the CSV."""

from __future__ import annotations

import csv
import io

from preppath.cli.common import console
from preppath.messages import plural
from preppath.services.batch import ANSWERED, FAILED, SKIPPED, BatchItem, BatchResult

CSV_COLUMNS = (
    "entry",
    "interview_id",
    "question",
    "bank_id",
    "answer",
    "status",
    "earlier",
    "overall",
    "correctness",
    "completeness",
    "clarity",
    "error",
)


def item_line(item: BatchItem) -> str:
    where = f"interview {item.interview_id}" if item.interview_id else f"entry {item.entry}"
    return f"{where} question {item.question}: {_outcome(item)}"


def _outcome(item: BatchItem) -> str:
    if item.status == FAILED:
        return f"failed: {item.error}"
    told = item.status
    if item.overall is not None:
        told += f" {item.overall}/100"
    return told + (" (earlier run)" if item.earlier else "")


def print_summary(result: BatchResult) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Entry", justify="right", no_wrap=True)
    table.add_column("Interview", justify="right", no_wrap=True)
    table.add_column("Q", justify="right", no_wrap=True)
    table.add_column("Question", no_wrap=True)
    table.add_column("Answer", no_wrap=True)
    table.add_column("Result")
    table.add_column("Score", justify="right", no_wrap=True)
    for item in result.items:
        result_text = f"failed: {item.error}" if item.status == FAILED else item.status
        if item.earlier:
            result_text += " (earlier run)"
        table.add_row(
            str(item.entry),
            str(item.interview_id or "–"),
            str(item.question),
            escape(item.bank_id or "–"),
            item.answer,
            escape(result_text),
            "–" if item.overall is None else str(item.overall),
        )
    console.print(table)
    counts = {
        status: sum(1 for item in result.items if item.status == status)
        for status in (ANSWERED, SKIPPED, FAILED)
    }
    earlier = sum(1 for item in result.items if item.earlier)
    scored = [item.overall for item in result.items if item.overall is not None]
    mean = f", mean score {sum(scored) / len(scored):.0f}" if scored else ""
    again = f" ({earlier} from an earlier run)" if earlier else ""
    console.print(
        f"{plural(counts[ANSWERED], 'answer')}, {counts[SKIPPED]} skipped,"
        f" {counts[FAILED]} failed{again}{mean}"
    )


def results_csv(result: BatchResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in result.items:
        writer.writerow(
            [
                item.entry,
                item.interview_id or "",
                item.question,
                item.bank_id or "",
                item.answer,
                item.status,
                "yes" if item.earlier else "no",
                "" if item.overall is None else item.overall,
                *(_score(item, name) for name in ("correctness", "completeness", "clarity")),
                item.error or "",
            ]
        )
    return out.getvalue()


def _score(item: BatchItem, name: str) -> str:
    value = item.scores.get(name)
    return "" if value is None else f"{value:g}"
