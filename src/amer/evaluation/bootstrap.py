"""Bootstrap 95 % confidence intervals by resampling documents."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from amer.evaluation.metrics import Counts


def bootstrap_intervals(
    per_doc: Sequence[Counts], *, samples: int, seed: int, level: float = 0.95
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of micro precision, recall, F1 and token accuracy.

    Documents are drawn with replacement ``samples`` times; each draw is scored as a whole.
    """
    if not per_doc or samples <= 0:
        return {}
    table = np.array(
        [
            [
                sum(c.tp.values()),
                sum(c.fp.values()),
                sum(c.fn.values()),
                c.tokens_correct,
                c.tokens_total,
            ]
            for c in per_doc
        ],
        dtype=np.float64,
    )
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(per_doc), size=(samples, len(per_doc)))
    tp, fp, fn, correct, tokens = (table[draws, k].sum(axis=1) for k in range(5))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(tp / (tp + fp))
        recall = np.nan_to_num(tp / (tp + fn))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
        accuracy = np.nan_to_num(correct / tokens)
    tail = (1.0 - level) / 2 * 100
    return {
        name: (float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail)))
        for name, values in (
            ("precision", precision),
            ("recall", recall),
            ("f1", f1),
            ("token_accuracy", accuracy),
        )
    }
