"""Probabilities for a margin model (the linear model's `loss: svm`): a softmax of its
decision values times one temperature, fitted on out-of-fold predictions of the
training data, so the FallbackClassifier can threshold them like logistic regression's."""

from __future__ import annotations

from typing import Any, Callable, List, Text

import numpy as np


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    return scores / scores.sum(axis=1, keepdims=True)


def svm_temperature(
    new_model: Callable[[], Any], features: Any, labels: List[Text], classes: List[Text], seed: int
) -> float:
    """The factor on a margin model's decision values that makes their softmax the best
    probabilities (lowest log loss) on out-of-fold predictions of the training data.
    1.0 when a class has too few examples for two folds."""
    from scipy.optimize import minimize_scalar
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels)
    folds = min(5, min(int((y == c).sum()) for c in classes))
    if folds < 2:
        return 1.0
    index = np.searchsorted(np.asarray(classes), y)
    width = 1 if len(classes) == 2 else len(classes)
    scores = np.zeros((len(y), width))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_rows, test_rows in splitter.split(np.zeros(len(y)), y):
        if len(set(y[fit_rows])) < len(classes):
            return 1.0
        model = new_model().fit(features[fit_rows], y[fit_rows])
        scores[test_rows] = np.asarray(model.decision_function(features[test_rows])).reshape(
            len(test_rows), width
        )

    if width == 1:  # two classes: the same softmax([-s, s]) as predict_proba
        scores = np.hstack([-scores, scores])

    def log_loss(temperature: float) -> float:
        p = softmax(scores * temperature)[np.arange(len(y)), index]
        return float(-np.log(np.maximum(p, 1e-12)).mean())

    return float(minimize_scalar(log_loss, bounds=(0.01, 100.0), method="bounded").x)
