"""`tractatus escalations list|show|approve|deny`: the people's side of the escalation queue."""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tractatus.cli.audit import AuditDbOption, JsonOption, iso, print_json
from tractatus.governance.errors import InputError

if TYPE_CHECKING:
    from tractatus.governance.audit import AuditLog
    from tractatus.governance.escalation import EscalationQueue

app = typer.Typer(no_args_is_help=True, help="Review escalated actions: list, approve, deny.")

ReviewerOption = Annotated[
    str | None, typer.Option("--reviewer", help="Who decides (default: $TRACTATUS_REVIEWER, else the login name).")
]
NoteOption = Annotated[str, typer.Option("--note", help="Why: kept with the decision and in the audit log.")]


def _queue(audit_db: str | None) -> tuple[AuditLog, EscalationQueue]:
    from tractatus.governance.audit import open_audit_log
    from tractatus.governance.escalation import EscalationQueue

    log = open_audit_log(audit_db, must_exist=True)
    try:
        return log, EscalationQueue(log)
    except BaseException:
        log.close()
        raise


def _reviewer(value: str | None) -> str:
    if value:
        return value
    try:
        return os.environ.get("TRACTATUS_REVIEWER") or getpass.getuser()
    except (KeyError, OSError):
        raise InputError("cannot tell who is reviewing: pass --reviewer NAME") from None


@app.command("list")
def list_(
    status: Annotated[str, typer.Option("--status", help="pending, approved, denied or all.")] = "pending",
    limit: Annotated[int, typer.Option("--limit", help="At most this many, oldest first.")] = 100,
    audit_db: AuditDbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List escalations (pending by default)."""
    log, queue = _queue(audit_db)
    with log:
        items = queue.list(None if status == "all" else status, limit=limit)
    if as_json:
        for item in items:
            print_json(item.to_dict())
        return
    console = Console(highlight=False)
    if not items:
        console.print(f"no {status} escalations" if status != "all" else "no escalations")
        return
    table = Table("id", "created (UTC)", "agent", "kind/tool", "rules", "status", "text (redacted)")
    for item in items:
        table.add_row(
            str(item.id),
            iso(item.created),
            escape(item.agent_id),
            escape(item.tool or item.action_kind),
            escape(", ".join(item.rule_ids) or "-"),
            item.status if item.reviewer is None else f"{item.status} by {escape(item.reviewer)}",
            escape(item.redacted_text[:80] + ("…" if len(item.redacted_text) > 80 else "")),
        )
    console.print(table)


@app.command("show")
def show(
    escalation_id: Annotated[str, typer.Argument(metavar="ID", help="Escalation id.")],
    audit_db: AuditDbOption = None,
) -> None:
    """Show one escalation as JSON (redacted text, findings, status)."""
    log, queue = _queue(audit_db)
    with log:
        print_json(queue.get(escalation_id).to_dict())


def _decide(approve: bool, escalation_id: str, reviewer: str | None, note: str, audit_db: str | None, as_json: bool) -> None:
    log, queue = _queue(audit_db)
    with log:
        who = _reviewer(reviewer)
        item = queue.approve(escalation_id, who, note) if approve else queue.deny(escalation_id, who, note)
    if as_json:
        print_json(item.to_dict())
    else:
        style = "green" if approve else "red"
        Console(highlight=False).print(
            f"[{style}]{item.status}[/{style}] escalation {item.id} by {escape(who)}; audit entry {item.audit_seq}"
        )


@app.command("approve")
def approve(
    escalation_id: Annotated[str, typer.Argument(metavar="ID", help="Escalation id.")],
    reviewer: ReviewerOption = None,
    note: NoteOption = "",
    audit_db: AuditDbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve a pending escalation; the decision is appended to the audit log."""
    _decide(True, escalation_id, reviewer, note, audit_db, as_json)


@app.command("deny")
def deny(
    escalation_id: Annotated[str, typer.Argument(metavar="ID", help="Escalation id.")],
    reviewer: ReviewerOption = None,
    note: NoteOption = "",
    audit_db: AuditDbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deny a pending escalation; the decision is appended to the audit log."""
    _decide(False, escalation_id, reviewer, note, audit_db, as_json)
