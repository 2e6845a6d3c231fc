"""One error hierarchy for the whole project.

Every error a user can cause is a `TractatusError`. The CLI maps them to exit codes in
`tractatus.cli.errors` and the service maps them to HTTP status codes in
`tractatus.service.errors`; nowhere else decides how an error is shown.
"""

from __future__ import annotations


class TractatusError(Exception):
    """Base of every error a user can cause. `str(err)` is one clear line."""


class InputError(TractatusError):
    """The input (text, JSON, file, option) is malformed, too large or unreadable."""


class PolicyError(TractatusError):
    """A policy file is invalid. The message names the file, line and field."""


class ConfigError(TractatusError):
    """A configuration (experiment, service, backend) is invalid or unreachable."""


class AuditError(TractatusError):
    """The audit log cannot be written or read."""


class IntegrityError(AuditError):
    """The audit chain does not verify."""


class NotFoundError(TractatusError):
    """A named object (escalation, run, rule) does not exist."""
