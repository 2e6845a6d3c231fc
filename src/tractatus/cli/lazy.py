"""Command groups that are imported only when they run, so `tractatus --help` and `check` start fast.

typer builds every group eagerly from imported modules; click's documented answer for large CLIs
is a group whose `get_command` imports on demand ("lazily loading subcommands" in click's docs).
typer has no such switch, so this subclass of its group does it: a registered name is a
`LazyGroup(module, attribute, help)`. Listing commands for `--help` uses the help text given here
(a test checks it equals the group's own), and only running a command imports its module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from typer.core import TyperGroup


@dataclass(frozen=True, slots=True)
class LazyGroup:
    """Where a command group's typer app lives, and its one-line help for listings."""

    module: str
    attribute: str
    help: str

    def load(self, name: str) -> Any:
        import typer.main

        app = getattr(importlib.import_module(self.module), self.attribute)
        group = typer.main.get_group(app)
        group.name = name
        return group


class LazyTyperGroup(TyperGroup):
    """A typer group whose `lazy_groups` are imported when resolved, not when listed.

    Subclass and set `lazy_groups`; pass the subclass as `typer.Typer(cls=...)`.
    """

    lazy_groups: ClassVar[Mapping[str, LazyGroup]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False  # True while help text is being formatted
        self._loaded: dict[str, Any] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy_groups if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_groups:
            return command
        entry = self.lazy_groups[cmd_name]
        if self._listing:
            from typer.core import TyperCommand

            # A stand-in for the listing: name and help only, nothing imported.
            return TyperCommand(name=cmd_name, help=entry.help, short_help=entry.help)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = entry.load(cmd_name)
        return self._loaded[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:  # typer's UsageError: suggest lazy names too, as typer does for its own
            message = getattr(error, "message", None)
            if isinstance(message, str) and args and "Did you mean" not in message:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    error.message = f"{message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"  # type: ignore[attr-defined]
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
