import numpy as np
import pytest
import scipy.sparse as sp

from knowledge.calibrated import CalibratedLinear, shared_out


def model(exclusive: bool = False) -> CalibratedLinear:
    return CalibratedLinear(
        weights=np.asarray([2.0, -1.0]),
        bias=-0.5,
        curve_scores=np.asarray([-1.0, 0.0, 1.0]),
        curve_probabilities=np.asarray([0.0, 0.2, 0.9]),
        exclusive=exclusive,
    )


def test_scores_follow_the_calibration_curve_and_stay_within_its_ends() -> None:
    features = np.asarray([[0.25, 0.0], [0.75, 0.0], [5.0, 0.0], [0.0, 5.0]])
    # Scores 0, 1, 9.5 and -5.5.
    assert model().probabilities(features) == pytest.approx([0.2, 0.9, 0.9, 0.0])


def test_sparse_rows_score_like_dense_ones() -> None:
    dense = np.asarray([[0.5, 0.25], [1.0, 1.0]])
    assert model().probabilities(sp.csr_matrix(dense)) == pytest.approx(
        model().probabilities(dense)
    )


def test_alternatives_share_out_their_chances() -> None:
    scores = np.asarray([3.0, 3.0, -3.0, 0.0])
    groups = np.asarray([1, 1, 1, 2])
    shared = shared_out(scores, groups)
    assert shared[:3].sum() == pytest.approx(1.0)
    assert shared[0] == pytest.approx(shared[1])
    # A lone alternative whose chance is below 1 keeps it.
    assert shared[3] == pytest.approx(0.5)


def test_an_exclusive_model_never_makes_two_alternatives_both_sure() -> None:
    curve = CalibratedLinear(np.asarray([1.0]), 0.0, np.asarray([0.0, 1.0]), np.asarray([0.0, 1.0]))
    exclusive = CalibratedLinear(
        curve.weights, 0.0, curve.curve_scores, curve.curve_probabilities, exclusive=True
    )
    both = np.asarray([[6.0], [6.0]])
    assert curve.probabilities(both).sum() > 1.9
    assert exclusive.probabilities(both).sum() == pytest.approx(1.0, abs=0.01)
