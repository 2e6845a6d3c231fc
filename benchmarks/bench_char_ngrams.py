"""The headline model's character n-gram vector alone (`TextModel._char_features`), per text, CPU time.

`--what screen` times instead the whole vector the clickbait tier screens a headline with
(`TextModel.fast_features` where the code has it, else `TextModel.features`, which is what the
tier used before: word and character n-grams of the headline input, tokens included).
`--what clickbait_check` and `--what abuse_check` time the whole detector (`evaluate`) on each 1 KB
benchmark message, as a `publish` and as a `message` action (the texts normalized beforehand).
`--unseen` empties the headline model's per-word cache before each cold measurement (`char` and
`screen`): every word of the text is new to it, as in text made of words it has never read.

What `publish` pays for the headline model's character n-grams: the first line of each 1 KB
benchmark message, cut as the policy cuts it (`first_line_chars` of `default.yaml`'s clickbait
tier), read as the model reads it (`model_input`). The pipeline benchmark (bench_text_pipeline.py)
cannot resolve a change of this size under load; this one times only the count, on the same texts.

Each text is vectorized once cold (the per-word cache fills), then `--passes` times warm; the
least CPU time of each text over the warm passes is kept, and percentiles are over texts.
`--baseline-src OTHER/src` times that checkout too, alternating sides over `--rounds` rounds,
each side in its own process with its code first on the path, and records the ratio after/before.

Run:  .venv/bin/python benchmarks/bench_char_ngrams.py [--quick] [--baseline-src OTHER/src]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, write_results
from bench_governor import messages, text_policy

import tractatus
from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.headline_input import headline_input
from tractatus.governance.detectors.text_model import load_model, model_input, tokenize
from tractatus.governance.normalize import normalize
from tractatus.governance.registry import default_registry
from tractatus.governance.state import GovernanceState


def headlines(n: int, seed: int) -> list[str]:
    chars = text_policy().check_settings("clickbait").learned.first_line_chars
    return [model_input(normalize(text)).split("\n", 1)[0][:chars] for text in messages(n, 1024, seed)]


def _check_runner(what: str, n: int, seed: int) -> tuple[list, Callable[[Any], object]]:
    """The benchmark messages as contexts of the detector's action kind, and the detector's `evaluate`."""
    name, kind = {"clickbait_check": ("clickbait", "publish"), "abuse_check": ("abuse", "message")}[what]
    policy = text_policy()
    check = default_registry()[name](policy.check_settings(name))
    state = GovernanceState()
    contexts = [CheckContext(action=Action(kind=kind, text=text, agent_id="bench"), text=normalize(text), state=state)
                for text in messages(n, 1024, seed)]
    return contexts, check.evaluate


def measure(n: int, passes: int, seed: int, what: str = "char", unseen: bool = False) -> dict:
    model = load_model("clickbait")
    texts: list = headlines(n, seed)
    vectorize: Callable[[Any], object]
    if what.endswith("_check"):
        texts, vectorize = _check_runner(what, n, seed)
    elif what == "screen":
        texts = [headline_input(text) for text in texts]
        screen = getattr(model, "fast_features", model.features)  # before this path: the exact vector

        def vectorize(text: str) -> object:
            return screen(text, tokenize(text))
    else:
        vectorize = model._char_features
    cold, least = [], [float("inf")] * n
    for text in texts:
        if unseen:
            model._word_grams.clear()
        start = time.process_time_ns()
        vectorize(text)
        cold.append((time.process_time_ns() - start) / 1000.0)
    for _ in range(passes):
        for i, text in enumerate(texts):
            start = time.process_time_ns()
            vectorize(text)
            least[i] = min(least[i], (time.process_time_ns() - start) / 1000.0)
    return {"texts": n, "passes": passes, "what": what, "cold_us": cold, "least_warm_us": least}


def _side(src: Path, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        command = [sys.executable, __file__, "--worker-out", str(out), "--n", str(args.n), "--passes", str(args.passes), "--seed", str(args.seed),
                   "--what", args.what, *(["--unseen"] if args.unseen else [])]
        subprocess.run(command, env={**os.environ, "PYTHONPATH": str(src)}, check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 texts instead of 1,000 (unless --n is given)")
    parser.add_argument("--n", type=int, default=None, help="distinct texts (default 1,000)")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--baseline-src", help="another checkout's src/ to time in the same run")
    parser.add_argument("--name", default="char_ngrams")
    parser.add_argument("--what", choices=("char", "screen", "clickbait_check", "abuse_check"), default="char",
                        help="char: the character n-gram vector; screen: the vector the clickbait tier screens with; "
                        "clickbait_check / abuse_check: the whole detector")
    parser.add_argument("--unseen", action="store_true", help="every word new to the model in the cold measurement")
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.n is None:
        args.n = 200 if args.quick else 1000
    if args.worker_out:
        Path(args.worker_out).write_text(json.dumps(measure(args.n, args.passes, args.seed, args.what, args.unseen)), encoding="utf-8")
        return
    here = Path(tractatus.__file__).resolve().parents[1]
    sides = {"after": here} if not args.baseline_src else {"before": Path(args.baseline_src).resolve(), "after": here}
    pooled: dict[str, dict[str, list[float]]] = {side: {"cold_us": [], "least_warm_us": []} for side in sides}
    for round_ in range(args.rounds):
        for side in (list(sides) if round_ % 2 == 0 else list(reversed(sides))):
            run = _side(sides[side], args)
            for key in pooled[side]:
                pooled[side][key].extend(run[key])
    results: dict = {"texts_per_round": args.n, "rounds": args.rounds, "passes": args.passes, "what": args.what,
                     "unseen": args.unseen}
    for side, src in sides.items():
        results[side] = {"code": str(src), "commit": subprocess.run(["git", "-C", str(src), "rev-parse", "--short=12", "HEAD"],
                                                                    capture_output=True, text=True).stdout.strip(),
                         **{key: percentiles(values) for key, values in pooled[side].items()}}
    if "before" in sides:
        results["ratio_after_over_before"] = {key: {q: results["after"][key][q] / results["before"][key][q] for q in ("p50", "p99")}
                                              for key in ("cold_us", "least_warm_us")}
    results["loadavg_1_5_15_min_at_end"] = list(os.getloadavg())
    table({"char": "Headline model, character n-gram vector", "screen": "Headline model, vector screened",
           "clickbait_check": "Clickbait detector, publish", "abuse_check": "Abuse detector, message"}[args.what] + " per text, CPU microseconds",
          ["side", "cold p50", "cold p99", "warm p50", "warm p99"],
          [(side, results[side]["cold_us"]["p50"], results[side]["cold_us"]["p99"],
            results[side]["least_warm_us"]["p50"], results[side]["least_warm_us"]["p99"]) for side in sides])
    print(f"results: {write_results(args.name, results)}")


if __name__ == "__main__":
    main()
