"""A linear model whose scores are turned into probabilities that mean what they say.

The learned parts of understanding (ranker, scope model, gate) are logistic regressions from
scikit-learn, calibrated on held-out folds of their own training data (:mod:`knowledge.training`):
a model's probabilities on the data it was fitted to are too sure of themselves. Only the weights
and the calibration curve are kept, so that a message costs one dot product and one
interpolation, and answering needs none of the training machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CalibratedLinear:
    """Weights, a bias, and the curve from a score to a probability.

    Attributes:
        weights: One per feature.
        bias: The intercept.
        curve_scores: Increasing scores at which the calibrated probability is known.
        curve_probabilities: The probability at each of those scores; between them it is
            interpolated, beyond them it stays at the end values.
        exclusive: The rows given together are alternatives of which at most one is right
            (the entries shortlisted for one message): their chances are shared out before
            calibration, so that two entries cannot both be nearly certain.

    """

    weights: FloatArray
    bias: float
    curve_scores: FloatArray
    curve_probabilities: FloatArray
    exclusive: bool = False

    def probabilities(self, features: FloatArray | sp.csr_matrix) -> FloatArray:
        """The calibrated probability of the positive class for each row."""
        return self.calibrate(np.asarray(features @ self.weights, dtype=np.float64).ravel())

    def calibrate(self, products: FloatArray) -> FloatArray:
        """The calibrated probabilities of rows whose products with the weights are given."""
        scores = products + self.bias
        if self.exclusive:
            scores = shared_out(scores, np.zeros(scores.size, dtype=np.int64))
        return np.interp(scores, self.curve_scores, self.curve_probabilities)


def shared_out(scores: FloatArray, groups: npt.NDArray[np.int64]) -> FloatArray:
    """Each score as a chance (logistic), divided by its group's total chance when that exceeds 1.

    Examples of a group must be contiguous.
    """
    chances = 1 / (1 + np.exp(-scores))
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    totals = np.add.reduceat(chances, starts)
    sizes = np.diff(np.r_[starts, groups.size])
    return np.asarray(chances / np.maximum(np.repeat(totals, sizes), 1.0), dtype=np.float64)
