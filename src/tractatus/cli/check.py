"""`tractatus check`: decide on text or JSON actions and audit every decision."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterable, Iterator

import typer

from tractatus.governance.errors import InputError

if TYPE_CHECKING:
    from tractatus.governance.actions import Action, Decision

# The governor (detectors, pydantic, YAML) and the input parser are imported when the command
# runs, not when `tractatus --help` imports this module (issue 12, item 6). Decisions are printed
# with typer's own `style`/`echo` rather than rich: rich's Console costs ~0.15 s CPU to import
# (measured under load), more than a one-line verdict is worth; `echo` drops the colours when
# stdout is not a terminal, as rich did.

BATCH = 512  # decisions per group commit when reading JSONL

_STYLE: dict[str, dict[str, Any]] = {  # by Verdict.label
    "allow": {"fg": "green"},
    "warn": {"fg": "yellow"},
    "modify": {"fg": "cyan"},
    "escalate": {"fg": "magenta"},
    "block": {"fg": "red", "bold": True},
}


def check(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Text or a JSON action; '-' or nothing reads stdin.")] = None,
    jsonl: Annotated[str | None, typer.Option("--jsonl", help="File with one JSON action per line ('-' = stdin).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON decision per input, in input order.")] = False,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy file (default: policies/default.yaml).")] = None,
    audit_db: Annotated[
        str | None, typer.Option("--audit-db", envvar="TRACTATUS_AUDIT_DB", help="Audit log: a path or SQLAlchemy URL.")
    ] = None,
    no_audit: Annotated[bool, typer.Option("--no-audit", help="Dry run: decide without auditing.")] = False,
    kind: Annotated[str, typer.Option("--kind", help="Action kind for plain text input.")] = "message",
    agent_id: Annotated[str, typer.Option("--agent-id", help="Agent id for plain text input.")] = "cli",
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if any input is not allowed.")] = False,
) -> None:
    """Decide on actions. Input: an argument, stdin, or --jsonl FILE (at least "text"; kind defaults to message)."""
    if text is not None and jsonl is not None:
        raise InputError("give either TEXT or --jsonl, not both")
    if no_audit and _given_on_command_line(ctx, "audit_db"):
        raise InputError("--no-audit and --audit-db conflict: a dry run writes no audit log")
    with _pydantic_plugins_off():
        _decide_and_print(text, jsonl, as_json, policy, audit_db, no_audit, kind, agent_id, strict)


@contextmanager
def _pydantic_plugins_off() -> Iterator[None]:
    """Build this command's pydantic models without looking for pydantic plugins.

    The first pydantic model to be built makes pydantic scan every installed distribution's entry
    points for plugins: 0.35 s of CPU under load in this project's virtualenv (Ray, agentlightning, FastAPI
    and their hundreds of dependencies), most of a `check` (issue 12, item 6), although the
    command needs no plugin. typer does the same while it builds its own adapters. A value the user set
    is kept; the variable is restored afterwards.
    """
    previous = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    if previous is None:
        os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PYDANTIC_DISABLE_PLUGINS", None)


def _decide_and_print(
    text: str | None, jsonl: str | None, as_json: bool, policy: Path | None, audit_db: str | None, no_audit: bool,
    kind: str, agent_id: str, strict: bool,
) -> None:  # fmt: skip
    from tractatus.cli.governor_factory import open_governor
    from tractatus.cli.inputs import action_from_input, iter_jsonl, read_stdin

    with open_governor(policy, audit_db=audit_db, audit=not no_audit) as governor:
        limit = governor.policy.document.limits.max_text_bytes
        defaults = {"kind": kind, "agent_id": agent_id}
        actions: Iterable[Action]
        if jsonl is not None:
            actions = iter_jsonl(jsonl, defaults, limit)
        elif text is None or text == "-":
            if text is None and sys.stdin.isatty():
                raise InputError("nothing to check: give TEXT, pipe it on stdin, or use --jsonl FILE")
            actions = [action_from_input(read_stdin(limit), "stdin", defaults, limit)]
        else:
            actions = [action_from_input(text, "argument", defaults, limit)]

        all_allowed = True
        for decisions in _decide_in_batches(governor, actions):
            for decision in decisions:
                all_allowed &= decision.allowed
                if as_json:
                    sys.stdout.write(json.dumps(decision.to_dict(), ensure_ascii=False) + "\n")
                else:
                    _print_human(decision)
        sys.stdout.flush()
    if strict and not all_allowed:
        raise typer.Exit(1)


def _given_on_command_line(ctx: typer.Context, parameter: str) -> bool:
    """True when the user typed the option (TRACTATUS_AUDIT_DB in the environment may stay set)."""
    source = ctx.get_parameter_source(parameter)
    return source is not None and source.name == "COMMANDLINE"


def _decide_in_batches(governor: Any, actions: Iterable[Action]) -> Iterator[list[Decision]]:
    iterator = iter(actions)
    while batch := list(islice(iterator, BATCH)):
        yield governor.decide_batch(batch)


def _print_human(decision: Decision) -> None:
    label = decision.verdict.label
    typer.echo(f"{typer.style(label.upper(), **_STYLE[label])}  ({decision.latency_us:.0f} µs)")
    for finding in decision.findings:
        where = f" [{finding.span.start}:{finding.span.end}]" if finding.span else ""
        verdict = finding.verdict.label if finding.verdict is not None else "-"
        typer.echo(f"  {finding.rule_id} {finding.severity.label} → {verdict}{where}: {finding.message}")
    if decision.modified_text is not None:
        typer.echo(f"  modified: {decision.modified_text}")
