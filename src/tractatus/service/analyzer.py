"""Sort a (redacted) feedback message into a category and a severity.

Categories (the original analyzer's six): website_bug, framework_issue, content_gap,
feature_request, positive, noise. Severities: critical, high, medium, low.

How: phrase patterns on word boundaries, each with a weight; the category with the highest
total wins, ties broken by the order of `CATEGORY_ORDER` (a bug outranks a wish). A message with
no pattern is `positive` when VADER rates it clearly positive, otherwise `noise`. Text with too
few letters to mean anything is `noise` outright. Severity is the highest severity pattern that
matches, with a category default below it. The vocabulary is here, in one table per category,
so it can be read and extended in one place; it is vocabulary, not a threshold, so it is not in
the policy file. The two numeric cut-offs are in `AnalyzerSettings`, documented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel, ConfigDict, Field
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

CATEGORY_ORDER: Final = ("website_bug", "framework_issue", "content_gap", "feature_request", "positive", "noise")
SEVERITIES: Final = ("critical", "high", "medium", "low")


def _patterns(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# (pattern, weight) per category. Weights: 2 for phrases that settle the category, 1 for hints.
CATEGORY_PATTERNS: Final[dict[str, tuple[tuple[re.Pattern[str], int], ...]]] = {
    "website_bug": (
        (_patterns(r"broken links?", r"404", r"500 error", r"page (?:does ?n[o']t|won'?t|will not|fails? to) load",
                   r"(?:button|link|form|menu|search|page|site|website|login|sign[- ]?in)s? (?:is |are )?"
                   r"(?:broken|not working|does ?n[o']t work|do ?n[o']t work|crash(?:es|ed)?|fails?|freezes?)",
                   r"(?:crash(?:es|ed)?|error|blank page|layout (?:is )?broken|overlaps?) (?:on|in|when|at)",
                   r"dark mode", r"mobile (?:view|layout|site)", r"(?:safari|firefox|chrome|edge) (?:shows|breaks|fails)"), 2),
        (_patterns(r"bug", r"glitch", r"crash(?:es|ed)?", r"error message", r"typo", r"not loading", r"slow to load",
                   r"website", r"web ?page", r"(?:the|your|this) (?:site|page)", r"css", r"scroll(?:ing)?",
                   r"security", r"vulnerabilit(?:y|ies)", r"leaks?", r"outage"), 1),
    ),
    "framework_issue": (
        (_patterns(r"false positives?", r"false negatives?", r"wrongly (?:blocked|flagged|allowed)",
                   r"(?:boundary enforcer|cross[- ]reference validator|pressure monitor|metacognitive verifier|"
                   r"persistence classifier|deliberation orchestrator)",
                   r"(?:policy|governor|detector|audit log|escalation queue) (?:is |was )?(?:wrong|broken|fails?|"
                   r"crash(?:es|ed)?|rejects?|misses|ignores?)", r"instruction (?:was )?(?:lost|ignored|forgotten)"), 2),
        (_patterns(r"framework", r"tractatus", r"governance", r"detector", r"policy file", r"audit", r"escalation",
                   r"classifier", r"validator", r"agent lightning", r"api", r"sdk", r"integration"), 1),
    ),
    "content_gap": (
        (_patterns(r"(?:could ?n[o']t|can ?n[o']t|cannot|unable to) find", r"(?:no|missing|lacks?|lacking) "
                   r"(?:documentation|docs|examples?|explanation|tutorial|guide)", r"docs? (?:are|is) (?:unclear|"
                   r"outdated|incomplete|confusing|missing)", r"(?:unclear|confusing|outdated) (?:docs?|documentation|"
                   r"explanation|section|page|guide)", r"(?:more|better) (?:examples?|documentation|docs|explanation)",
                   r"does ?n[o']t explain", r"not explained"), 2),
        (_patterns(r"documentation", r"docs", r"tutorial", r"guide", r"example", r"explain", r"unclear", r"confusing",
                   r"outdated", r"faq"), 1),
    ),
    "feature_request": (
        (_patterns(r"(?:please|could you|can you|would you) (?:add|support|include|provide|allow|make)",
                   r"(?:it )?would be (?:nice|great|good|helpful|useful|awesome)", r"feature request", r"i wish",
                   r"(?:add|adding) (?:support|an? option|a way)", r"support for", r"an? option to",
                   r"it would help", r"(?:need|want|like) a way to"), 2),
        (_patterns(r"a way to"), 1),
        (_patterns(r"feature", r"option", r"export", r"integrate with", r"roadmap", r"suggest(?:ion)?"), 1),
    ),
    "positive": (
        (_patterns(r"thanks?(?: you)?", r"thank you", r"(?:love|loved|enjoy|enjoyed) (?:it|this|the)",
                   r"(?:great|excellent|awesome|fantastic|wonderful|brilliant) (?:work|job|project|tool|docs|site)",
                   r"keep (?:it )?up", r"well done", r"very (?:helpful|useful|clear)"), 2),
    ),
}

# Severity phrases, checked from most to least severe; the first that matches sets the severity.
SEVERITY_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("critical", _patterns(r"security (?:hole|issue|bug|vulnerability|flaw)", r"vulnerabilit(?:y|ies)", r"data (?:leak|breach|loss)",
                           r"(?:leaks?|leaking|exposes?|exposed) (?:personal|private|user|customer)? ?(?:data|information|passwords?)",
                           r"(?:site|website|service|everything) (?:is )?(?:down|offline)", r"outage", r"injection", r"xss",
                           r"bypass(?:es|ed)? (?:the )?(?:governance|policy|detector|filter)")),
    ("high", _patterns(r"crash(?:es|ed)?", r"(?:can ?n[o']t|cannot|unable to) (?:log ?in|sign ?in|access|use|submit|save)",
                       r"broken", r"does ?n[o']t work", r"not working", r"lost (?:my )?(?:work|data)", r"blocks? (?:me|us|everyone)",
                       r"every time", r"completely", r"wrongly (?:blocked|allowed)", r"false negatives?")),
    ("medium", _patterns(r"error", r"wrong", r"incorrect", r"slow", r"confusing", r"false positives?", r"bug", r"glitch",
                         r"outdated", r"misleading")),
)
CATEGORY_DEFAULT_SEVERITY: Final = {
    "website_bug": "medium",
    "framework_issue": "medium",
    "content_gap": "low",
    "feature_request": "low",
    "positive": "low",
    "noise": "low",
}
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


class AnalyzerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Fewer letters than this cannot carry feedback ("asdf", "!!!", "123"): noise.
    min_letters: int = Field(default=8, ge=1)
    # VADER compound score above which an otherwise unmatched message counts as praise. 0.5 is
    # VADER's own "clearly positive" region (its docs use 0.05 for merely positive).
    positive_compound: float = Field(default=0.5, gt=0, le=1)


@dataclass(frozen=True, slots=True)
class Analysis:
    category: str
    severity: str
    scores: dict[str, int]
    sentiment: float  # VADER compound score, -1..1


class FeedbackAnalyzer:
    def __init__(self, settings: AnalyzerSettings | None = None) -> None:
        self.settings = settings or AnalyzerSettings()
        self._vader = SentimentIntensityAnalyzer()

    def analyze(self, text: str) -> Analysis:
        sentiment = float(self._vader.polarity_scores(text)["compound"]) if text else 0.0
        scores = {
            category: sum(weight * len(pattern.findall(text)) for pattern, weight in patterns)
            for category, patterns in CATEGORY_PATTERNS.items()
        }
        if len(_LETTERS.findall(text)) < self.settings.min_letters:
            category = "noise"
        else:
            best = max(scores.values())
            # Praise words are weak evidence next to a reported problem ("thanks, but the page crashes").
            problem_best = max(v for k, v in scores.items() if k != "positive")
            if problem_best > 0:
                category = next(c for c in CATEGORY_ORDER if c != "positive" and scores.get(c, 0) == problem_best)
            elif best > 0 or sentiment >= self.settings.positive_compound:
                category = "positive"
            else:
                category = "noise"
        return Analysis(category=category, severity=self._severity(text, category), scores=scores, sentiment=sentiment)

    @staticmethod
    def _severity(text: str, category: str) -> str:
        if category in ("positive", "noise"):
            return "low"
        default = CATEGORY_DEFAULT_SEVERITY[category]
        for severity, pattern in SEVERITY_PATTERNS:
            if pattern.search(text):
                # Wishes and doc gaps are never critical on wording alone, but security words
                # in them still deserve a look: cap them at high.
                if category in ("feature_request", "content_gap") and severity == "critical":
                    return "high"
                return severity if SEVERITIES.index(severity) < SEVERITIES.index(default) else default
        return default
