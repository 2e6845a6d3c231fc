"""The analyzer's categories and severities, with benign cases that must not be over-rated."""

from __future__ import annotations

import pytest

from tractatus.service.analyzer import FeedbackAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> FeedbackAnalyzer:
    return FeedbackAnalyzer()


@pytest.mark.parametrize(
    ("text", "category", "severity"),
    [
        ("The login button does not work on Firefox, I cannot log in.", "website_bug", "high"),
        ("Your site leaks user passwords in the page source!", "website_bug", "critical"),
        ("There is a typo on the pricing page.", "website_bug", "medium"),
        ("The boundary enforcer wrongly blocked my harmless message.", "framework_issue", "high"),
        ("The policy file loader rejects a valid YAML anchor, a false positive.", "framework_issue", "medium"),
        ("I could not find any documentation about policy files.", "content_gap", "low"),
        ("The docs are outdated: the install guide still mentions Python 3.8.", "content_gap", "medium"),
        ("Please add support for exporting the audit log to CSV.", "feature_request", "low"),
        ("It would be great to have an option to mute the weekly emails.", "feature_request", "low"),
        ("Thank you, great work on this project!", "positive", "low"),
        ("I really love how clear and friendly everything feels.", "positive", "low"),
        ("asdf", "noise", "low"),
        ("!!! ??? 12345", "noise", "low"),
        ("hello there", "noise", "low"),
    ],
)
def test_categories_and_severities(analyzer, text, category, severity):
    result = analyzer.analyze(text)
    assert (result.category, result.severity) == (category, severity)


def test_thanks_with_a_problem_is_the_problem(analyzer):
    assert analyzer.analyze("Thanks for the tool, but the export page crashes every time.").category == "website_bug"


def test_redaction_placeholders_do_not_change_the_category(analyzer):
    plain = analyzer.analyze("The signup page crashes when I enter my email.")
    masked = analyzer.analyze("The signup page crashes when I enter my email [EMAIL] or phone [PHONE].")
    assert (plain.category, plain.severity) == (masked.category, masked.severity)


def test_a_wish_is_never_critical(analyzer):
    result = analyzer.analyze("Please add a way to report a security vulnerability privately.")
    assert result.category == "feature_request" and result.severity == "high"
