"""Train a small open model on the headline task: AGL 1.0.2's VERL trainer, governed by Tractatus.

    python examples/verl/train_headlines.py [hydra overrides]   (launch.sh starts everything)

The datasets are headline tasks (10 candidates each) drawn from the lab's pool (the clickbait
source's `lab_pool` split, read from TRACTATUS_DATA_DIR; `TRACTATUS_POOL=file.jsonl` for your
own). Every row becomes one AGL rollout input; AGL's controller runs the HeadlineAgent on it,
the agent asks the model (VERL's vLLM, behind AGL's gateway, behind the governed proxy) which
headline to publish, and GovernanceHooks turn the engagement reward of what was published, minus
the penalties of every governance decision, into the reward GRPO trains on.

torch, VERL and vLLM are imported only inside `main`, on the GPU machine.
"""

from __future__ import annotations

import os
from typing import Any

import hydra
import numpy as np
from omegaconf import DictConfig

from tractatus.integrations.agentlightning.algorithm import sample_tasks

# The instruction the model is trained under: fixed (weights are trained, not the prompt).
INSTRUCTION = "engaging"
TRAIN_TASKS = 2048
VAL_TASKS = 128


def headline_rows(pool: list[Any], count: int, seed: int, model: str) -> list[dict[str, Any]]:
    """`count` rollout inputs: candidates, the prompt resource, and the fields VERL's dataset needs."""
    rng = np.random.default_rng(seed)
    return [
        {
            "candidates": [h.text for h in task],
            "prompt": {"instruction": INSTRUCTION, "few_shot": "none", "examples": []},
            "prompt_version": 0,
            "model": model,
            "data_source": "tractatus-headlines",
            "extra_info": {"index": i},
        }
        for i, task in enumerate(sample_tasks(pool, count, rng))
    ]


@hydra.main(version_base=None, config_path=".", config_name="headline_grpo")
def main(config: DictConfig) -> None:
    from agentlightning.verl.entrypoint import run_ppo  # ray, torch, VERL: GPU machine only

    from tractatus.lab.world.pool import load_pool

    pool = load_pool(pool_file=os.environ.get("TRACTATUS_POOL") or None)
    model = str(config.actor_rollout_ref.model.path)
    run_ppo(config, headline_rows(pool, TRAIN_TASKS, 0, model), headline_rows(pool, VAL_TASKS, 1, model))


if __name__ == "__main__":
    main()
