"""The clickbait operating point the policies were set at, recomputed on `detector_dev`.

`python -m tractatus.governance.learning.clickbait_dev` writes the full report; this test prints
the shipped policies' point and fails if the thresholds in the policies no longer give what their
comments and docs/detectors-training.md say was chosen on dev.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.governance.learning.clickbait_dev import POLICIES, decided, sweep
from tractatus.governance.learning.trainers import CLICKBAIT_MODEL, training_rows
from tractatus.governance.policy import load_policy

POLICY_DIR = Path(__file__).resolve().parents[3] / "policies"
# The dev targets the warn probability was chosen for (docs/detectors-training.md): news flagged by
# the whole policy at most this, leaving room below issue 9's 1.5% for the held-out split's noise...
DEV_NEWS_AT_MOST = 0.0125
# ... and the clickbait recall that costs on dev (the instructional cap included).
DEV_RECALL_AT_LEAST = 0.94


@pytest.mark.slow  # decides ~2,300 dev headlines under two policies: ~1-2 min on the shared machine
def test_the_policies_dev_operating_point(data_dir: Path) -> None:
    dev = training_rows(CLICKBAIT_MODEL, data_dir, "detector_dev")
    points = decided(dev, POLICY_DIR)
    for name in POLICIES:
        warn = load_policy(POLICY_DIR / name).check_settings("clickbait").model_dump()["learned"]["warn_probability"]
        point = points[name]
        # Printed, not asserted: on a loaded machine a check can outlast the policy's timeout, and
        # a timeout fails closed (a flag), so the governor's share carries the machine's noise.
        print(f"{name}: warn at {warn:g}: clickbait flagged {point['clickbait']['flagged']:.2%}, "
              f"news flagged {point['news']['flagged']:.2%} (by check: {point['news_flagged_by']})")
        curve = sweep(dev, POLICY_DIR / name)
        at = curve[f"{warn:g}"]  # the policy's own threshold is one of the sweep's points
        print(f"{name}: the clickbait detector at {warn:g}: clickbait {at['clickbait']:.2%}, news {at['news']:.2%}")
        assert at["news"] + point["news_flagged_by"].get("boundary_enforcer", 0.0) <= DEV_NEWS_AT_MOST
        assert at["clickbait"] >= DEV_RECALL_AT_LEAST
        # The sweep is monotone: a higher warn probability never flags more of either label.
        thresholds = sorted(float(t) for t in curve if t != "instructional")
        for low, high in zip(thresholds, thresholds[1:], strict=False):
            for label in ("clickbait", "news"):
                assert curve[f"{high:g}"][label] <= curve[f"{low:g}"][label]
