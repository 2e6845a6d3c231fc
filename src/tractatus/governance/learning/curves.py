"""Precision-recall curves as PNG: one chart per held-out set, every scored system on it.

Systems with a score get a curve (scikit-learn's `precision_recall_curve`); every system, scored or
not, also gets its operating point: the precision and recall of what it actually decides.
matplotlib runs on the Agg backend: no display, same bytes for the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CurveSeries:
    label: str
    scores: Sequence[float]


@dataclass(frozen=True)
class OperatingPoint:
    label: str
    precision: float | None
    recall: float | None


def draw_pr_curves(
    path: Path, title: str, positive: Sequence[bool], series: Sequence[CurveSeries], points: Sequence[OperatingPoint]
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import average_precision_score, precision_recall_curve

    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(7, 5), dpi=100)
    try:
        if any(positive) and not all(positive):
            for curve in series:
                precision, recall, _ = precision_recall_curve(list(positive), list(curve.scores))
                ap = average_precision_score(list(positive), list(curve.scores))
                axes.plot(recall, precision, drawstyle="steps-post", label=f"{curve.label} (AP {ap:.3f})")
        markers = "os^Dvx*P"
        for index, point in enumerate(points):
            if point.precision is not None and point.recall is not None:
                # Colours continue after the curves', so a point never looks like it sits on a curve of its colour.
                axes.scatter([point.recall], [point.precision], marker=markers[index % len(markers)], s=60, zorder=3,
                             color=f"C{(len(series) + index) % 10}", label=f"{point.label} (decision)")  # fmt: skip
        axes.set_xlabel("recall")
        axes.set_ylabel("precision")
        axes.set_xlim(0.0, 1.02)
        axes.set_ylim(0.0, 1.02)
        axes.grid(alpha=0.3)
        axes.set_title(title, fontsize=10)
        axes.legend(fontsize=7, loc="lower left")
        # No timestamp in the PNG metadata: the same data gives the same file.
        figure.savefig(path, format="png", metadata={"Software": None})
    finally:
        plt.close(figure)
