"""Example weights in the linear text model (bot.nlu.linear_model): what the language
split bench (bench/language_split.py) uses to count English examples for less."""

from __future__ import annotations

import numpy as np

from bot.nlu.linear_model import LinearTextModel, linear_model_defaults

TEXTS = ["كيف اغير الايبان", "تغيير الايبان", "متى الدوام", "ساعات الدوام", "iban hours"]
LABELS = ["iban", "iban", "hours", "hours", "hours"]


def _hours_probability(weights):
    model = LinearTextModel({**linear_model_defaults(), "C": 10.0})
    model.fit(TEXTS, LABELS, sample_weight=weights)
    row = model.predict_proba(["iban hours"])[0]
    return row[model.classes.index("hours")]


def test_an_example_weighted_down_counts_for_less():
    full = _hours_probability(None)
    light = _hours_probability(np.array([1.0, 1.0, 1.0, 1.0, 0.05]))
    assert light < full
    # Weights of one are no weights at all.
    assert np.isclose(_hours_probability(np.ones(len(TEXTS))), full)
