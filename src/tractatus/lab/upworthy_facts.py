"""What is known about each archive headline before a replay starts: the governor's dry-run
verdict and the independent judge's label, cached on disk under a key that names everything
they depend on.

Judging 8,885 headlines costs the governor about a minute on a loaded 2-core machine, so the
facts are cached. The cache key is a digest of the code (provenance.code_digest: every source,
bundled policy and committed coefficient file), the policy's digest, the judge's digest and the
texts themselves; a run with different code, policy, judge or archive computes them afresh and
never reuses a stale file (issue 10, item 9). `reused` says which happened, for the manifest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.governance.governor import Governor
from tractatus.lab.world.judge import ClickbaitJudge

CACHE_VERSION = 1


@dataclass(frozen=True)
class HeadlineFacts:
    allowed: np.ndarray  # (texts,) bool: the governor's dry run allows it (allow or warn)
    clickbait: np.ndarray  # (texts,) bool: the independent judge calls it clickbait
    key: str
    reused: bool


def facts_key(texts: list[str], *, code_digest: str, policy_digest: str, judge_digest: str) -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION}\x00{code_digest}\x00{policy_digest}\x00{judge_digest}\x00".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    return digest.hexdigest()


def headline_facts(texts: list[str], governor: Governor, judge: ClickbaitJudge, *, code_digest: str, cache_dir: Path | None) -> HeadlineFacts:
    key = facts_key(texts, code_digest=code_digest, policy_digest=governor.policy.digest, judge_digest=judge.digest)
    path = cache_dir / f"upworthy-facts-{key[:32]}.json" if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored["key"] == key and len(stored["allowed"]) == len(texts):
                return HeadlineFacts(np.array(stored["allowed"], dtype=bool), np.array(stored["clickbait"], dtype=bool), key, True)
        except (OSError, ValueError, KeyError):
            pass  # unreadable or foreign: recompute and overwrite
    allowed = np.array([governor.evaluate(Action(kind=ActionKind.PUBLISH.value, text=t)).verdict <= Verdict.WARN for t in texts], dtype=bool)
    clickbait = np.array([judge.is_clickbait(t) for t in texts], dtype=bool)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Booleans only, no text: the cache holds nothing of the dataset's content.
        path.write_text(json.dumps({"key": key, "allowed": allowed.astype(int).tolist(), "clickbait": clickbait.astype(int).tolist()}),
                        encoding="utf-8")
    return HeadlineFacts(allowed, clickbait, key, False)
