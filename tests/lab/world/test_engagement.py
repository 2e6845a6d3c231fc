"""The engagement model: a bit-identical refit, sensible CTRs, and the independence rule."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from tractatus.data.readers import UPWORTHY, read_upworthy
from tractatus.lab.world import engagement as engagement_module
from tractatus.lab.world.engagement import (
    EngagementModel,
    data_digest,
    default_coefficients_path,
    fit_engagement_model,
)
from tractatus.lab.world.features import FEATURE_NAMES

WORLD = Path(engagement_module.__file__).parent


@pytest.mark.slow
def test_refit_is_bit_identical_to_the_committed_coefficients(data_dir: Path) -> None:
    parquet = sorted((data_dir / UPWORTHY).glob("*packages*.parquet"))[0]
    refit = fit_engagement_model(read_upworthy(data_dir), source_digest=data_digest(parquet))
    committed = json.loads(default_coefficients_path().read_text(encoding="utf-8"))
    assert json.loads(json.dumps(refit)) == committed


def test_committed_model_loads_and_gives_ctrs_near_the_archive_level() -> None:
    model = EngagementModel.load_default()
    texts = ["Senate passes the budget after a long night", "This Is What Happens When You Ask A Kid About Love", ""]
    ctr = model.ctr_many(texts)
    assert ctr.shape == (3,)
    assert np.all((ctr > 0) & (ctr < 0.1))
    assert model.ctr(texts[1]) == pytest.approx(ctr[1])
    # a headline with the training mean of every feature gets exactly the base CTR
    assert float(model.ctr_of_features(model.mean[None, :])[0]) == pytest.approx(model.base_ctr)


def test_features_are_named_and_defined_for_any_text() -> None:
    model = EngagementModel.load_default()
    values = model.features("7 Reasons You Need To See This!")
    assert tuple(values) == FEATURE_NAMES
    assert values["leading_number"] == 1.0 and values["second_person"] == 1.0 and values["exclamation"] == 1.0
    assert model.features("")["log_words"] == 0.0


def test_the_model_is_frozen() -> None:
    model = EngagementModel.load_default()
    with pytest.raises(ValueError):
        model.coefficients[0] = 1.0


def test_committed_document_records_the_dropped_window_and_the_evaluation() -> None:
    document = json.loads(default_coefficients_path().read_text(encoding="utf-8"))
    dropped = document["dropped_weeks"]
    assert dropped["weeks"][0] >= 201326 and dropped["weeks"][-1] <= 201401 and dropped["tests"] > 0
    assert document["train"]["weeks"][1] < document["evaluation"]["weeks"][0]  # earlier weeks train, later evaluate
    assert 0.5 < document["evaluation"]["pairwise_accuracy"] < 0.7  # modest, as published content-only models are


def test_the_ground_truth_never_imports_governance_detectors() -> None:
    """Independence rule (DESIGN.md): the lab's referee does not use the player's answers."""
    for path in WORLD.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith("tractatus.governance.detectors"), f"{path.name} imports {name}"
                assert not name.startswith("tractatus.governance.learning"), f"{path.name} imports {name}"
