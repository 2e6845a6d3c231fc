"""Publishing under the shipped policies: news and how-to headlines are allowed, clickbait is not.

Decided by the real Governor under `policies/default.yaml` and `policies/lab-engagement.yaml`, in
`publish`, where issue 9's benign look-alikes must stay allowed: how-to headlines, health news
about public figures, and the news of violence a tweet-trained abuse model reads as abuse. The
headlines are the team's own, written for these tests (never rows of the public datasets).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.governor import Governor
from tractatus.governance.policy import load_policy

POLICIES = Path(__file__).resolve().parents[3] / "policies"


@pytest.fixture(scope="module", params=["default.yaml", "lab-engagement.yaml"])
def governor(request: pytest.FixtureRequest) -> Governor:
    gov = Governor(load_policy(POLICIES / request.param))
    request.addfinalizer(gov.close)
    # Warm up: the first decision loads the models and lexicons, which on a loaded machine can
    # outlast the policy's check timeout (a timeout fails closed, as it should, but is not news).
    for kind in ("publish", "message"):
        gov.evaluate(Action(kind=kind, text="Council approves the budget"))
    return gov


def publish(governor: Governor, text: str) -> Verdict:
    return governor.evaluate(Action(kind="publish", text=text)).verdict


@pytest.mark.parametrize("headline", [
    "How to configure nginx as a reverse proxy",
    "How to file your tax return online",
    "Top 10 Python tips",
    "A beginner's guide to Rust ownership",
])  # fmt: skip
def test_how_to_headlines_are_allowed(governor: Governor, headline: str) -> None:
    assert publish(governor, headline) == Verdict.ALLOW


@pytest.mark.parametrize("headline", [
    "Senator Kennedy has brain tumor surgically removed",
    "Prime minister treated in hospital for pneumonia",
])  # fmt: skip
def test_health_news_about_public_figures_is_allowed(governor: Governor, headline: str) -> None:
    assert publish(governor, headline) == Verdict.ALLOW


@pytest.mark.parametrize("headline", [
    "Three killed as storm floods coastal towns",
    "Police shoot armed suspect after standoff",
    "Gunmen kill six at market in northern province",
])  # fmt: skip
def test_news_of_violence_is_not_abuse_when_published(governor: Governor, headline: str) -> None:
    assert publish(governor, headline) == Verdict.ALLOW


@pytest.mark.parametrize("headline", [
    "How to make these cookies that will change your life",  # a how-to that withholds its payoff
    "17 Things Only Nurses Will Understand",
    "You Won't Believe What This Dog Did Next",
])  # fmt: skip
def test_clickbait_is_still_stopped(governor: Governor, headline: str) -> None:
    assert publish(governor, headline) > Verdict.ALLOW


def test_threats_in_a_published_text_still_block(governor: Governor) -> None:
    if "abuse" not in governor.policy.document.checks:
        pytest.skip("the lab policy does not run the abuse detector")
    assert publish(governor, "I hope your whole family dies in a fire") == Verdict.BLOCK
