"""`tractatus audit verify|tail|stats`: check and read the hash-chained audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tractatus.governance.errors import InputError, IntegrityError

app = typer.Typer(no_args_is_help=True, help="Verify and read the hash-chained audit log.")

AuditDbOption = Annotated[
    str | None,
    typer.Option(
        "--audit-db",
        envvar="TRACTATUS_AUDIT_DB",
        help="Audit log: a path or SQLAlchemy URL (default: .tractatus/audit.db).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, sort_keys=True))


def iso(seconds: float | None) -> str:
    return "-" if seconds is None else datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


@app.command("verify")
def verify(
    audit_db: AuditDbOption = None,
    as_json: JsonOption = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="Processes to verify with (default: automatic).")
    ] = None,
) -> None:
    """Walk the hash chain; exit non-zero naming the first broken entry."""
    from tractatus.governance.audit import open_audit_log

    with open_audit_log(audit_db, must_exist=True) as log:
        total = log.count()
        err = Console(stderr=True)
        with Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=as_json or not err.is_terminal,
        ) as progress:
            task = progress.add_task("verify", total=total)
            report = log.verify(workers=workers, on_progress=lambda done: progress.update(task, completed=done))
    if as_json:
        print_json(report.to_dict())
    elif report.ok:
        Console(highlight=False).print(
            f"[green]ok[/green] {report.entries_checked} entries verified in {report.seconds:.2f}s; "
            f"head {report.head_hash}"
        )
    if not report.ok:
        raise IntegrityError(
            f"audit chain broken at entry {report.first_broken_seq}: {report.reason} "
            f"({report.entries_checked} entries before it verified)"
        )


@app.command("tail")
def tail(
    n: Annotated[int, typer.Option("-n", "--lines", help="How many of the newest entries to show.")] = 10,
    audit_db: AuditDbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the newest entries, oldest first."""
    from tractatus.governance.audit import open_audit_log

    if n < 1 or n > 10_000:
        raise InputError(f"-n must be between 1 and 10000, got {n}")
    with open_audit_log(audit_db, must_exist=True) as log:
        entries = log.tail(n)
    if as_json:
        for entry in entries:
            print_json(entry.to_dict())
        return
    table = Table("seq", "time (UTC)", "agent", "kind", "verdict", "rules", "hash")
    for entry in entries:
        table.add_row(
            str(entry.seq),
            iso(entry.time),
            escape(entry.agent_id),
            escape(entry.kind),
            entry.verdict or "-",
            escape(", ".join(entry.rule_ids) or "-"),
            entry.hash[:12],
        )
    Console(highlight=False).print(table)


@app.command("stats")
def stats(audit_db: AuditDbOption = None, as_json: JsonOption = False) -> None:
    """Counts per verdict, rule, agent and kind, and the time range covered."""
    from tractatus.governance.audit import open_audit_log

    with open_audit_log(audit_db, must_exist=True) as log:
        result = log.stats()
    if as_json:
        print_json(result.to_dict())
        return
    console = Console(highlight=False)
    console.print(
        f"{result.entries} entries from {iso(result.first_time)} to {iso(result.last_time)}; "
        f"head seq {result.head_seq} hash {result.head_hash[:16]}"
    )
    for title, counts in (
        ("verdict", result.by_verdict),
        ("kind", result.by_kind),
        ("rule", result.by_rule),
        ("agent", result.by_agent),
    ):
        if not counts:
            continue
        table = Table(title, "entries", title=f"by {title}", title_justify="left")
        for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:25]:
            table.add_row(escape(str(key)), str(count))
        console.print(table)
