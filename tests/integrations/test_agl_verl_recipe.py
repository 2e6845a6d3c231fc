"""The GPU recipe (examples/verl/) checked on the CPU: every key against AGL's and VERL's schemas, no torch."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf
from omegaconf.errors import ConfigKeyError

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "examples" / "verl"
AGL = Path(importlib.util.find_spec("agentlightning").origin).parent  # type: ignore[arg-type, union-attr]


def strip_hydra(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("hydra", "defaults")}


def recipe() -> dict:
    return yaml.safe_load((RECIPE / "headline_grpo.yaml").read_text())


def launch_overrides() -> list[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    out = subprocess.run(
        ["bash", str(RECIPE / "launch.sh"), "--print-overrides"], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    return out.stdout.split()


OPEN_MAPS = ("agentlightning.local.env_map",)  # maps whose keys are the user's (env var names)


def merge_strict(schema: dict | object, *layers: object) -> object:
    """Merge layers into the schema in struct mode: a key the schema lacks raises."""
    base = OmegaConf.create(schema) if isinstance(schema, dict) else schema
    OmegaConf.set_struct(base, True)
    for path in OPEN_MAPS:
        node = OmegaConf.select(base, path)
        if node is not None:
            OmegaConf.set_struct(node, False)
    return OmegaConf.merge(base, *layers)


def test_the_recipe_composes_agl_and_verl_configs() -> None:
    doc = recipe()
    assert doc["defaults"] == ["config", "_self_"]
    assert doc["hydra"]["searchpath"] == ["pkg://verl/trainer/config", "pkg://agentlightning/verl"]
    agl_config = yaml.safe_load((AGL / "verl" / "config.yaml").read_text())
    assert agl_config["defaults"][0] == "ppo_trainer"  # AGL's config is the one that pulls in VERL's


def test_the_agentlightning_section_and_launch_overrides_fit_agl_verl_schema() -> None:
    agl_schema = strip_hydra(yaml.safe_load((AGL / "verl" / "config.yaml").read_text()))
    ours = {"agentlightning": recipe()["agentlightning"]}
    agl_overrides = [o for o in launch_overrides() if o.startswith("agentlightning.")]
    merged = merge_strict({"agentlightning": agl_schema["agentlightning"]}, ours, OmegaConf.from_dotlist(agl_overrides))
    assert merged.agentlightning.local.agent_class == "tractatus.integrations.agentlightning.agent:HeadlineAgent"
    assert Path(merged.agentlightning.hooks).name == "hooks.py"  # launch.sh points AGL at GovernanceHooks
    with pytest.raises(ConfigKeyError):  # the check can fail: a misspelt key is caught
        merge_strict({"agentlightning": agl_schema["agentlightning"]}, {"agentlightning": {"hook": "x"}})


def test_the_whole_recipe_fits_verl_ppo_trainer_schema() -> None:
    spec = importlib.util.find_spec("verl")  # located, never imported (it imports torch)
    if spec is None or spec.origin is None:
        pytest.skip("VERL is not installed (pip install --no-deps verl==0.8.0 to run this on a CPU)")
    generated = Path(spec.origin).parent / "trainer" / "config" / "_generated_ppo_trainer.yaml"
    schema = OmegaConf.load(generated)
    agl = OmegaConf.create(strip_hydra(yaml.safe_load((AGL / "verl" / "config.yaml").read_text())))
    OmegaConf.set_struct(schema, False)
    base = OmegaConf.merge(schema, agl)  # AGL adds its section and its own settings to VERL's
    merged = merge_strict(base, OmegaConf.create(strip_hydra(recipe())), OmegaConf.from_dotlist(launch_overrides()))
    assert merged.algorithm.adv_estimator == "grpo" and merged.actor_rollout_ref.rollout.n > 1
    assert merged.actor_rollout_ref.rollout.name == "vllm"
    assert merged.actor_rollout_ref.actor.policy_loss.loss_mode == "per_rollout_mean"  # AGL's loss, kept
    with pytest.raises(ConfigKeyError):
        merge_strict(base, OmegaConf.create({"actor_rollout_ref": {"rollout": {"group_size": 8}}}))


def test_launch_starts_agl_servers_with_keys_their_configs_know() -> None:
    text = (RECIPE / "launch.sh").read_text().replace("\\\n", " ")
    for module, config in (("agentlightning.server", "server.yaml"), ("agentlightning.controller", "controller.yaml")):
        line = next(line for line in text.splitlines() if f"python -m {module} " in line)
        overrides = [re.sub(r'"\$[A-Z_]+"|\$[A-Z_]+', "x", tok).replace('"', "") for tok in line.split() if "=" in tok]
        assert overrides, line
        merge_strict(yaml.safe_load((AGL / "config" / config).read_text()), OmegaConf.from_dotlist(overrides))


def test_the_training_rows_are_headline_tasks() -> None:
    from types import SimpleNamespace

    sys.path.insert(0, str(RECIPE))
    try:
        import train_headlines
    finally:
        sys.path.remove(str(RECIPE))
    assert "torch" not in sys.modules  # importing the script must not need torch
    pool = [SimpleNamespace(text=f"headline {i}", label="news") for i in range(30)]
    rows = train_headlines.headline_rows(pool, 5, seed=0, model="m")
    again = train_headlines.headline_rows(pool, 5, seed=0, model="m")
    assert rows == again and len(rows) == 5
    assert all(len(set(r["candidates"])) == 10 and r["prompt"]["instruction"] == "engaging" for r in rows)
