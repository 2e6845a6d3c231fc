"""The packaged peers the harness compares against: each flags what it should, spares the benign, offline."""

from __future__ import annotations

import socket

import pytest

from tractatus.governance.learning.peers import TrivialClickbaitBaseline, peers_for


def test_trivial_baseline_is_digit_or_you() -> None:
    out = TrivialClickbaitBaseline().run(["17 Cats Who Have Had Enough", "Can You Guess This Song", "Parliament passes budget"])
    assert [o.flagged for o in out] == [True, True, False]


@pytest.mark.slow
def test_abuse_peers_flag_insults_and_spare_plain_text() -> None:
    pytest.importorskip("profanity_check")
    pytest.importorskip("better_profanity")
    peers, missing = peers_for("abuse")
    assert not missing and {p.name for p in peers} == {"alt-profanity-check", "better-profanity"}
    for peer in peers:
        flagged = [o.flagged for o in peer.run(["you are a fucking idiot", "the meeting moved to Tuesday at noon"])]
        assert flagged == [True, False], peer.name


@pytest.mark.slow
def test_presidio_patterns_run_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("presidio_analyzer")

    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    (peer,), _ = peers_for("pii")
    out = peer.run(["write to jane.roe@example.org today", "upgrade to version 2.10.3 on Monday"])
    assert out[0].flagged and out[0].categories == frozenset({"email"})
    assert not out[1].flagged
