import os
import subprocess
import sys

import numpy as np
import pytest

from knowledge.analysis import Analyser
from knowledge.index import IndexedText
from knowledge.lexicon import Lexicon
from knowledge.model import Corpus, scope_features
from knowledge.training import fit_calibrated, hash_text, train

ANALYSER = Analyser(Lexicon({}))
TEXTS = [
    *(
        IndexedText("marriage.gift", t)
        for t in (
            "订婚没成彩礼能要回来吗",
            "女方悔婚彩礼退不退",
            "彩礼钱能要回来吗",
            "没结成婚彩礼咋办",
        )
    ),
    *(
        IndexedText("divorce.cooling", t)
        for t in ("离婚冷静期多长时间", "冷静期里能反悔吗", "冷静期三十天怎么算", "离婚要等多久")
    ),
    *(
        IndexedText("land.homestead", t)
        for t in (
            "宅基地怎么申请",
            "盖新房要批宅基地找谁",
            "宅基地审批要多久",
            "申请宅基地要啥材料",
        )
    ),
]
CORPUS = Corpus(
    (
        "今天天气怎么样",
        "低保怎么申请",
        "身份证丢了咋补办",
        "养老保险交多少",
        "路灯坏了派人修",
        "你是谁",
        "羊病了咋办",
        "班车几点到",
    ),
    ("请派人来", "谢谢"),
)


def test_calibrated_probabilities_follow_how_often_the_label_holds() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(2000, 1))
    labels = rng.random(2000) < 1 / (1 + np.exp(-3 * features[:, 0]))
    fitted = fit_calibrated(features, labels, np.arange(2000), regularisation=1.0)
    probabilities = fitted.model.probabilities(features)
    assert np.all(np.diff(probabilities[np.argsort(features[:, 0])]) >= -1e-12)
    for low, high in ((0.0, 0.3), (0.3, 0.7), (0.7, 1.0)):
        chosen = (probabilities >= low) & (probabilities < high)
        assert labels[chosen].mean() == pytest.approx(probabilities[chosen].mean(), abs=0.05)
    assert fitted.held_out.shape == (2000,)


def test_training_is_deterministic_and_learns_the_base() -> None:
    first = train(TEXTS, ANALYSER, CORPUS)
    second = train(TEXTS, ANALYSER, CORPUS)
    assert np.array_equal(first.ranker.weights, second.ranker.weights)
    assert np.array_equal(first.scope.weights, second.scope.weights)
    assert np.array_equal(first.gate.weights, second.gate.weights)
    assert first.trained_seconds > 0
    message = ANALYSER.analyse("冷静期能反悔不")
    vectors = first.index.vectors(message)
    found = first.index.shortlist(message, vectors)
    likely = first.ranker.probabilities(found.features)
    assert first.index.entry_ids[found.entries[np.argmax(likely)]] == "divorce.cooling"
    weather = first.index.vectors(ANALYSER.analyse("今天天气咋样"))
    assert first.in_scope(vectors) > first.in_scope(weather)
    for v in (vectors, weather):
        assert first.in_scope(v) == pytest.approx(first.scope.probabilities(scope_features(v))[0])


def test_text_hashes_are_stable_across_runs() -> None:
    script = "from knowledge.training import hash_text; print(hash_text('彩礼'))"
    other = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "123"},
    )
    assert int(other.stdout) == hash_text("彩礼")
    assert hash_text("彩礼") != hash_text("离婚")
    assert 0 <= hash_text("彩礼") < 2**63
