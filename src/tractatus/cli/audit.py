"""`tractatus audit verify|checkpoint|keygen|tail|stats`: check, anchor and read the hash-chained audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tractatus.governance.errors import ConfigError, InputError, IntegrityError

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
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        envvar="TRACTATUS_AUDIT_KEY",
        help="Ed25519 key file kept outside the database (verify also takes the public <key>.pub).",
    ),
]
CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        envvar="TRACTATUS_AUDIT_CHECKPOINTS",
        help="Checkpoint file (default: <audit db>.checkpoints.jsonl beside a SQLite file).",
    ),
]


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, sort_keys=True))


def iso(seconds: float | None) -> str:
    return "-" if seconds is None else datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


def _checkpoint_file(audit_db: str | None, checkpoints: Path | None):  # -> CheckpointFile
    from tractatus.governance.audit_store import resolve_location
    from tractatus.governance.checkpoint import CheckpointFile, checkpoints_path

    return CheckpointFile(checkpoints_path(resolve_location(audit_db), checkpoints))


@app.command("verify")
def verify(
    audit_db: AuditDbOption = None,
    key: KeyOption = None,
    checkpoints: CheckpointsOption = None,
    as_json: JsonOption = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="Processes to verify with (default: automatic).")
    ] = None,
) -> None:
    """Walk the hash chain, check it against the signed checkpoints and the escalations table;
    exit non-zero naming the first broken entry, the missing range or the disagreeing row."""
    from tractatus.governance.audit import open_audit_log
    from tractatus.governance.checkpoint import load_verify_key
    from tractatus.governance.integrity import verify_log

    public_key = load_verify_key(key) if key is not None else None
    file = _checkpoint_file(audit_db, checkpoints)
    with open_audit_log(audit_db, must_exist=True, anchor=False) as log:
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
            report = verify_log(
                log, file, public_key, workers=workers, on_progress=lambda done: progress.update(task, completed=done)
            )
    if as_json:
        print_json(report.to_dict())
    elif report.ok:
        anchored = report.checkpoints
        if anchored.latest_seq is None:
            note = "; not anchored (no checkpoint yet: `tractatus audit checkpoint`)"
        else:
            signed = "signatures verified" if anchored.signatures_checked else "signatures NOT checked (no --key)"
            note = f"; {anchored.checkpoints} checkpoints hold up to seq {anchored.latest_seq}, {signed}"
        Console(highlight=False, soft_wrap=True).print(  # one line, whatever the width: scripts grep it
            f"[green]ok[/green] {report.chain.entries_checked} entries verified in {report.chain.seconds:.2f}s; "
            f"head {report.chain.head_hash}{note}"
        )
    problem = report.problem()
    if problem is not None:
        raise IntegrityError(problem)


@app.command("checkpoint")
def checkpoint(audit_db: AuditDbOption = None, key: KeyOption = None, checkpoints: CheckpointsOption = None) -> None:
    """Sign the log's head (sequence, hash, time) with the key and append it to the checkpoint file."""
    from tractatus.governance.audit import open_audit_log
    from tractatus.governance.checkpoint import load_signing_key, sign_head

    if key is None:
        raise ConfigError("a signing key is needed: pass --key FILE or set TRACTATUS_AUDIT_KEY (`tractatus audit keygen`)")
    private = load_signing_key(key)
    file = _checkpoint_file(audit_db, checkpoints)
    with open_audit_log(audit_db, must_exist=True, anchor=False) as log:
        made = sign_head(log, private, file)
    typer.echo(f"checkpoint seq {made.seq} head {made.head} at {made.when} -> {file.path}")


@app.command("keygen")
def keygen(
    key: Annotated[Path, typer.Argument(metavar="KEY_FILE", help="Where to write the private key (and KEY_FILE.pub).")],
) -> None:
    """Create the Ed25519 key that signs checkpoints. Keep it outside the database's reach."""
    from tractatus.governance.checkpoint import generate_key, public_key_path

    ident = generate_key(key)
    typer.echo(f"key {ident} written to {key} (private, mode 0600) and {public_key_path(key)} (public)")


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
    with open_audit_log(audit_db, must_exist=True, anchor=False) as log:
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

    with open_audit_log(audit_db, must_exist=True, anchor=False) as log:
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
