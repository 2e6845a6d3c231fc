"""The one place where errors become exit codes and one-line messages."""

from __future__ import annotations

import os
import sys
from typing import Callable

import typer

from tractatus.governance.errors import (
    AuditError,
    ConfigError,
    InputError,
    IntegrityError,
    NotFoundError,
    PolicyError,
    TractatusError,
)

EXIT_CODES: dict[type[TractatusError], int] = {
    InputError: 2,
    PolicyError: 2,
    ConfigError: 2,
    NotFoundError: 3,
    IntegrityError: 5,  # before AuditError: the most specific class wins
    AuditError: 4,
}
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70


def exit_code_for(error: TractatusError) -> int:
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]  # type: ignore[index]
    return 1


def _plain_click(name: str) -> tuple[type[BaseException], ...]:
    """click's own Exit/Abort, if something imported click: typer vendors its own copy, and
    importing the real one only to name its exceptions cost every start-up ~30 ms (issue 12)."""
    click_exceptions = sys.modules.get("click.exceptions")
    return (getattr(click_exceptions, name),) if click_exceptions is not None else ()


def _exit_types() -> tuple[type[BaseException], ...]:
    return (typer.Exit, *_plain_click("Exit"))


def _abort_types() -> tuple[type[BaseException], ...]:
    return (typer.Abort, *_plain_click("Abort"), KeyboardInterrupt)


def run_cli(app: Callable[..., object]) -> int:
    """Run a typer app so that every failure is one line on stderr and an exit code.

    typer >= 0.29 vendors its own click (`typer._click`), so its usage errors are not
    `click.ClickException`s: they are recognised by their `show`/`exit_code` interface instead.
    """
    try:
        result = app(standalone_mode=False)
        return result if isinstance(result, int) else 0
    except TractatusError as error:
        print(f"error: {error}", file=sys.stderr)
        return exit_code_for(error)
    except _exit_types() as done:  # evaluated when an exception is matched, so a late click counts
        return int(getattr(done, "exit_code", 0) or 0)
    except _abort_types():
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as error:
        if callable(getattr(error, "show", None)) and isinstance(getattr(error, "exit_code", None), int):
            error.show()  # a click usage error: its own one-line message and exit code (2)
            return int(error.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("TRACTATUS_DEBUG"):
            raise
        # a bug, not the user's fault: still one line unless debugging
        print(f"internal error: {type(error).__name__}: {error} (set TRACTATUS_DEBUG=1 for a traceback)", file=sys.stderr)
        return EXIT_INTERNAL
