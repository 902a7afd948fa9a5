"""The margin option of the linear text model (loss: svm): a linear SVM whose decision
values become probabilities through a softmax with a temperature fitted on held-out
folds of the training data."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.linear_model import LinearTextModel, linear_model_defaults, validate_linear_config

TEXTS = [
    "كيف اغير الايبان",
    "ابي اغير الحساب البنكي",
    "تغيير الايبان حقي",
    "وش شروط حساب المواطن",
    "شروط التسجيل في البرنامج",
    "ابي اعرف الشروط",
    "متى ينزل الدعم",
    "موعد نزول الدعم",
    "الدعم متى يجي",
] * 2
LABELS = ["iban"] * 3 + ["conditions"] * 3 + ["date"] * 3
LABELS = LABELS * 2
SVM = {**linear_model_defaults(), "loss": "svm", "C": 1.0, "class_weight": "balanced"}


def _model(config=SVM, texts=TEXTS, labels=LABELS):
    model = LinearTextModel(config)
    model.fit(texts, labels)
    return model


def test_svm_predicts_with_probabilities_that_sum_to_one():
    model = _model()
    probes = ["ابغى اغير الايبان", "وش الشروط", "الدعم متى ينزل"]
    probabilities = model.predict_proba(probes)
    assert probabilities.shape == (3, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert [model.classes[i] for i in probabilities.argmax(axis=1)] == [
        "iban",
        "conditions",
        "date",
    ]
    assert (probabilities.max(axis=1) > 1 / 3).all()


def test_svm_argmax_is_the_svm_decision_and_the_temperature_is_fitted():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    model = _model()
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=False
    )
    features = vectorizer.fit_transform(TEXTS)
    svm = LinearSVC(C=1.0, class_weight="balanced", max_iter=10000, random_state=42)
    svm.fit(features, LABELS)
    # The stored weights are the SVM's times one positive temperature, not 1.
    ratio = model.coef / svm.coef_
    finite = np.isfinite(ratio) & (np.abs(svm.coef_) > 1e-9)
    temperature = ratio[finite].mean()
    np.testing.assert_allclose(ratio[finite], temperature, rtol=1e-6)
    assert temperature > 0 and abs(temperature - 1.0) > 1e-3
    np.testing.assert_allclose(model.intercept, svm.intercept_ * temperature, rtol=1e-6)


def test_svm_fixed_inputs_give_fixed_outputs():
    first = _model().predict_proba(["وش الشروط"])
    second = _model().predict_proba(["وش الشروط"])
    np.testing.assert_array_equal(first, second)


def test_svm_one_text_path_matches_the_batch_path():
    model = _model()
    probes = ["كيف اغير الايبان", "ظظظ ثثث", "", "الدعم الدعم"]
    batch = model.predict_proba(probes)
    for i, probe in enumerate(probes):
        np.testing.assert_allclose(model.predict_proba([probe])[0], batch[i], rtol=1e-9)


def test_svm_model_saves_and_loads_without_pickle(tmp_path):
    model = _model()
    model.save(tmp_path)
    loaded, _ = LinearTextModel.load(SVM, tmp_path)
    probes = ["ابغى اغير الايبان", "وش الشروط"]
    np.testing.assert_allclose(loaded.predict_proba(probes), model.predict_proba(probes))
    np.testing.assert_allclose(loaded.predict_proba(probes[:1]), model.predict_proba(probes[:1]))


def test_logistic_model_saved_before_the_option_loads_under_either_setting(tmp_path):
    """A model file has no record of its loss: the weights are the model."""
    logistic = _model(linear_model_defaults())
    logistic.save(tmp_path)
    loaded, _ = LinearTextModel.load(linear_model_defaults(), tmp_path)
    np.testing.assert_allclose(
        loaded.predict_proba(["وش الشروط"]), logistic.predict_proba(["وش الشروط"])
    )


def test_svm_two_classes_and_tiny_classes():
    two = _model(texts=TEXTS[:6] * 2, labels=(LABELS[:6]) * 2)
    (row,) = two.predict_proba(["وش الشروط"])
    assert row.shape == (2,) and row.sum() == pytest.approx(1.0)
    assert two.classes[int(row.argmax())] == "conditions"
    # One example of a class: no folds to fit a temperature on, so it stays 1.
    tiny = _model(texts=["الايبان", "الشروط", "الدعم"], labels=["iban", "conditions", "date"])
    assert tiny.predict_proba(["الشروط"]).sum() == pytest.approx(1.0)


def test_default_loss_is_logistic_and_unknown_loss_is_rejected():
    assert linear_model_defaults()["loss"] == "logistic"
    validate_linear_config(SVM)
    with pytest.raises(ValueError, match="loss"):
        validate_linear_config({**SVM, "loss": "hinge"})
