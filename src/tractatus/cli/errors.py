"""The one place where errors become exit codes and one-line messages."""

from __future__ import annotations

import os
import sys
from typing import Callable

import click

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


def run_cli(app: Callable[..., object]) -> int:
    """Run a click/typer app so that every failure is one line on stderr and an exit code."""
    try:
        app(standalone_mode=False)
        return 0
    except TractatusError as error:
        print(f"error: {error}", file=sys.stderr)
        return exit_code_for(error)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug, not the user's fault: still one line unless debugging
        if os.environ.get("TRACTATUS_DEBUG"):
            raise
        print(f"internal error: {type(error).__name__}: {error} (set TRACTATUS_DEBUG=1 for a traceback)", file=sys.stderr)
        return EXIT_INTERNAL
