"""Does a policy fit the engagement environment? Refuse one that would govern nothing.

The lab publishes articles as actions of kind "publish". A policy with no enabled check for
that kind would "govern" every article by allowing it unread: coverage would be 1.0 in name
only. Such a policy is refused before anything runs, with one line naming the file.
"""

from __future__ import annotations

from tractatus.governance.actions import ActionKind
from tractatus.governance.errors import ConfigError
from tractatus.governance.policy import Policy

LAB_POLICY = "lab-engagement"  # policies/lab-engagement.yaml
LONGEST_ARTICLE_BYTES = 2048  # generous bound on what the grammar writes (measured max ~450)


def check_policy_fits(policy: Policy) -> None:
    publish = ActionKind.PUBLISH.value
    checks = [name for name, entry in policy.document.checks.items() if entry.enabled and publish in entry.kinds]
    if not checks:
        raise ConfigError(
            f"{policy.source}: policy {policy.name!r} does not fit the engagement environment: "
            f"no enabled check judges {publish!r} actions"
        )
    if policy.document.limits.max_text_bytes < LONGEST_ARTICLE_BYTES:
        raise ConfigError(
            f"{policy.source}: limits.max_text_bytes={policy.document.limits.max_text_bytes} is below "
            f"the {LONGEST_ARTICLE_BYTES} bytes an article may take"
        )
