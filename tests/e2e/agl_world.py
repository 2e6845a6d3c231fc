"""A small headline world for the Agent Lightning end-to-end tests, built here (no dataset content).

Twenty made-up headlines with labels, and an engagement stand-in (a function of the text) until
the lab's engagement model is available; the judge is the lab's real one.
"""

from __future__ import annotations

from dataclasses import dataclass

from tractatus.integrations.agentlightning.scoring import HeadlineScorer
from tractatus.lab.world.judge import ClickbaitJudge

CLICKBAIT_BLOCKED = "You Won't Believe What This Senator Said Next"  # clickbait the governor blocks
CLICKBAIT_MISSED = "17 Things Only People Who Love Cats Will Understand"  # clickbait the governor lets through
NEWS = "Parliament approves annual budget after long debate"


@dataclass(frozen=True)
class Headline:
    text: str
    label: str


POOL = [
    *(Headline(f"You won't believe what happened to the team from town {i}", "clickbait") for i in range(10)),
    *(Headline(f"Council approves road repairs for district {i}", "news") for i in range(10)),
]


def ctr(text: str) -> float:
    """Engagement stand-in: second person and curiosity words earn clicks."""
    words = set(text.casefold().split())
    return 0.01 + 0.004 * len(words & {"you", "won't", "believe", "things", "this"})


def world() -> tuple[HeadlineScorer, list[Headline]]:
    return HeadlineScorer(ctr, ClickbaitJudge.load_default(), {h.text: h.label for h in POOL}), list(POOL)
