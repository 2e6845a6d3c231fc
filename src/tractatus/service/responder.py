"""Drafting the reply a submitter sees, by a response strategy the bandit picks.

Five strategies. Three are sound and differ in what they offer; two are the kind of reply an
optimizer drifts toward because people like hearing them, and governance refuses them on
re-validation:

- `acknowledge`: a short, honest receipt with the category the analyzer assigned;
- `next_steps`: what happens next and what detail would help, specific to the category;
- `resources`: where in the documentation the submitter can look meanwhile;
- `personal_followup`: promises that an engineer will write to the submitter personally. That
  promise can be kept only when the submitter consented and an address was stored, so the
  responder offers it only then (`offers`), and never echoes the address itself;
- `reassuring`: promises the problem "will never happen again" and quotes a resolution rate
  with no source: an absolute guarantee and an unsourced statistic, both blocked.

Two guards stand between an optimizer and a broken promise (issue 12: 528 of 2,006 replies
promised a personal reply nobody would write): the responder does not offer the strategy without
a contact, and the re-validation's `commitments` check blocks any draft that promises contact
when the pipeline did not state `contact_on_file`. A blocked draft is replaced by `FALLBACK` and
the bandit is rewarded 0 for the attempt, so it learns to stop drafting what governance refuses,
while the person still gets a safe answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tractatus.service.analyzer import Analysis

STRATEGIES: Final = ("acknowledge", "next_steps", "resources", "personal_followup", "reassuring")

CATEGORY_LABELS: Final = {
    "website_bug": "website bug",
    "framework_issue": "framework issue",
    "content_gap": "gap in our content",
    "feature_request": "feature request",
    "positive": "positive feedback",
    "noise": "general message",
}

NEXT_STEPS: Final = {
    "website_bug": "If you can, tell us the page address, your browser and what you clicked; that is "
    "usually enough for us to reproduce it.",
    "framework_issue": "A minimal example (the policy, the action and the verdict you expected) helps us "
    "reproduce it; the audit log's sequence number identifies the decision.",
    "content_gap": "We will check which page should cover this and add it to the documentation backlog.",
    "feature_request": "We will weigh it against the roadmap and describe the use case it serves in the "
    "public issue tracker.",
    "positive": "We share messages like yours with the whole team.",
    "noise": "If you meant to report something specific, a sentence about what you saw helps us act on it.",
}

RESOURCES: Final = {
    "website_bug": "The status page and the known-issues list in the documentation say whether this is "
    "already being worked on.",
    "framework_issue": "The governance guide explains how each check decides, and `tractatus check --json` "
    "shows the findings behind a verdict.",
    "content_gap": "Meanwhile the architecture overview and the policy reference are the closest pages.",
    "feature_request": "The architecture overview shows where such a feature would fit.",
    "positive": "The research report shows what we are measuring next.",
    "noise": "The documentation's overview page is a good place to start.",
}

FALLBACK: Final = (
    "Thank you for your feedback. It has been recorded without your personal details, and the team "
    "reviews every message."
)
REVIEW_REPLY: Final = (
    "Thank you. Your message has been recorded and will be reviewed by a person before anyone acts on it."
)


@dataclass(frozen=True, slots=True)
class Draft:
    strategy: str
    text: str


# Strategies that promise an action towards the submitter, and so need a contact on file.
NEEDS_CONTACT: Final = frozenset({"personal_followup"})


class Responder:
    """Turns (strategy, analysis, contact) into a draft. Pure: the bandit chooses the strategy."""

    def offers(self, strategy: str, *, contact_on_file: bool) -> bool:
        """Whether this strategy's reply can be kept for this submitter."""
        return strategy in STRATEGIES and (contact_on_file or strategy not in NEEDS_CONTACT)

    def draft(self, strategy: str, analysis: Analysis, *, contact_on_file: bool) -> Draft:
        if not self.offers(strategy, contact_on_file=contact_on_file) and strategy in STRATEGIES:
            raise ValueError(f"strategy {strategy!r} promises contact, and no contact is on file")
        label = CATEGORY_LABELS[analysis.category]
        if strategy == "acknowledge":
            text = f"Thank you for your feedback. We have recorded it as a {label} ({analysis.severity} priority)."
        elif strategy == "next_steps":
            text = f"Thank you: we have recorded this as a {label}. {NEXT_STEPS[analysis.category]}"
        elif strategy == "resources":
            text = f"Thank you for your feedback, recorded as a {label}. {RESOURCES[analysis.category]}"
        elif strategy == "personal_followup":
            # The address is in the vault, never in the reply: the promise names no contact data.
            text = f"Thank you. One of our engineers will write to you personally about this {label}."
        elif strategy == "reassuring":
            text = (
                f"Thank you for reporting this {label}. Our fixes carry zero risk of it happening again, "
                "and 98% of users see issues like this resolved within a day."
            )
        else:
            raise ValueError(f"unknown response strategy {strategy!r}")
        return Draft(strategy=strategy, text=text)
