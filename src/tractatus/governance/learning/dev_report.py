"""The command line the dev-split studies share (`abuse_dev_sweep`, `neither_dev`): decide the
Davidson `detector_dev` tweets under a bundled policy, write the result as sorted JSON with the
policy name and the splits digest, print a summary. One place, so every dev study's file carries
the same provenance keys."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tractatus.data.paths import resolve_data_dir
from tractatus.data.splits import load_splits
from tractatus.governance.policy import bundled_policy_path

Study = Callable[[Path, Path], dict[str, Any]]  # (data dir, policy path) -> result


def run_dev_study(description: str, default_out: str, study: Study, summary: Callable[[dict[str, Any]], Any]) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--policy", default="default")
    parser.add_argument("--out", type=Path, default=Path(default_out))
    args = parser.parse_args()
    result = {"policy": args.policy, "splits_digest": load_splits().digest,
              **study(resolve_data_dir(args.data_dir), bundled_policy_path(args.policy))}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(summary(result), indent=1, sort_keys=True))
