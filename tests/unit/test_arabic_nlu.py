"""Arabic NLU building blocks: normaliser, tokenizer, dialect lexicon, stemmer, and
the LinearIntentClassifier graph component (train, persist, load, predict)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.arabic import fold_letters, normalize, split_punctuation, to_ascii_digits
from bot.nlu.dialect import fold_dialect
from bot.nlu.stemming import light_stem


# --------------------------------------------------------------------- normalise
@pytest.mark.parametrize("variant", ["أحمد", "إحمد", "آحمد", "ٱحمد", "احمد"])
def test_alef_variants_fold_to_bare_alef(variant):
    assert normalize(variant) == "احمد"


def test_alef_maqsura_and_ta_marbuta():
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("على") == "علي"
    assert normalize("مدرسة") == "مدرسه"
    assert normalize("البطاقة الجديدة") == "البطاقه الجديده"


def test_tatweel_and_diacritics_removed():
    assert normalize("كتـــاب") == "كتاب"
    assert normalize("كَتَبَ") == "كتب"
    assert normalize("مُحَمَّدٌ") == "محمد"
    assert normalize("شُكْرًا") == "شكرا"


def test_arabic_indic_and_persian_digits_become_ascii():
    assert normalize("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_ascii_digits("رقمي ١٠٥٥ و ۴۲") == "رقمي 1055 و 42"


def test_arabic_punctuation_split_off():
    assert normalize("كيف؟") == "كيف ؟"
    assert normalize("نعم،لا؛ربما") == "نعم ، لا ؛ ربما"
    assert split_punctuation("متى؟؟") == "متى ؟ ؟"
    assert normalize("hello,World!") == "hello , world !"


def test_meaning_bearing_letters_stay():
    letters = "ؤ ئ ء ث ذ ض ظ"
    assert normalize(letters) == letters
    # ث/ت, ذ/د, ض/ظ pairs are different words: never merged.
    assert normalize("ثلاث") != normalize("تلات")
    assert normalize("ذهب") != normalize("دهب")
    assert normalize("ضل") != normalize("ظل")
    assert normalize("مسؤول") == "مسؤول"
    assert normalize("رئيس") == "رئيس"


def test_whitespace_and_empty():
    assert normalize("") == ""
    assert normalize("  مرحبا \n  بك  ") == "مرحبا بك"
    assert fold_letters("Ab") == "Ab"  # folding alone does not lower-case


# --------------------------------------------------------------------- tokenizer
def _tokenize(text, **config):
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tokenizer import ArabicTokenizer

    tokenizer = ArabicTokenizer({**ArabicTokenizer.get_default_config(), **config})
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


def test_tokens_keep_original_text_and_offsets():
    text = "أبغى أعرف، متى ينزل الدعم؟"
    tokens = _tokenize(text)
    assert [t.text for t in tokens] == ["أبغى", "أعرف", "متى", "ينزل", "الدعم"]
    for token in tokens:
        assert text[token.start : token.end] == token.text
    assert [t.lemma for t in tokens] == ["ابغي", "اعرف", "متي", "ينزل", "الدعم"]


def test_diacritised_word_is_one_token_with_clean_lemma():
    tokens = _tokenize("مُحَمَّدٌ رقمه ١٢٣")
    assert [t.text for t in tokens] == ["مُحَمَّدٌ", "رقمه", "١٢٣"]
    assert [t.lemma for t in tokens] == ["محمد", "رقمه", "123"]


def test_emoji_only_text_gives_one_token():
    tokens = _tokenize("👍👍")
    assert len(tokens) == 1
    assert tokens[0].text == "👍👍"
    assert (tokens[0].start, tokens[0].end) == (0, 2)


def test_tokenizer_dialect_and_stem_options_change_only_the_lemma():
    text = "وش أسوي بالبطاقة حقتي؟"
    plain = _tokenize(text)
    folded = _tokenize(text, dialect=True, stem=True)
    assert [t.text for t in folded] == [t.text for t in plain]
    assert [(t.start, t.end) for t in folded] == [(t.start, t.end) for t in plain]
    assert [t.lemma for t in folded] == ["وش", "اسوي", "بطاقه", "حقتي"]
    msa = _tokenize("ماذا أفعل بالبطاقة الخاصة بي؟", dialect=True, stem=True)
    assert [t.lemma for t in msa][:3] == ["وش", "اسوي", "بطاقه"]


# ------------------------------------------------------------------------ dialect
@pytest.mark.parametrize(
    "variant, saudi",
    [
        ("ماذا", "وش"),
        ("شو", "وش"),
        ("ايش", "وش"),
        ("لماذا", "ليش"),
        ("اين", "وين"),
        ("اريد", "ابي"),
        ("ابغي", "ابي"),
        ("بدي", "ابي"),
        ("استطيع", "اقدر"),
        ("بقدر", "اقدر"),
        ("يمكنني", "اقدر"),
        ("الان", "الحين"),
        ("نقود", "فلوس"),
        ("اموالي", "فلوسي"),
        ("ولماذا", "وليش"),
        ("الذي", "اللي"),
        ("النقود", "الفلوس"),
    ],
)
def test_msa_and_levantine_fold_to_saudi(variant, saudi):
    assert fold_dialect(variant) == saudi


def test_dialect_leaves_saudi_content_and_ambiguous_words():
    # Saudi forms are canonical: unchanged.
    for word in ["وش", "ابي", "اقدر", "الحين", "فلوس", "اللي"]:
        assert fold_dialect(word) == word
    for word in ["البطاقه", "الدعم", "حساب", "مره", "الي", "هلا", "حقي", "و"]:
        assert fold_dialect(word) == word
    # Topic words the training data does not write are not folded (test_heldout_separation).
    for word in ["كرت", "الكرت", "زود", "مصاري", "مال"]:
        assert fold_dialect(word) == word
    assert fold_dialect("هالبطاقه") == "البطاقه"
    assert fold_dialect("") == ""


# ------------------------------------------------------------------------ stemmer
@pytest.mark.parametrize(
    "word", ["بنك", "كلمه", "وصول", "فلوس", "لازم", "عربي", "لهم", "دعم", "ال"]
)
def test_short_words_untouched(word):
    assert light_stem(word) == word


@pytest.mark.parametrize(
    "word, stem",
    [
        ("والبطاقه", "بطاقه"),
        ("فاتورتي", "فاتوره"),
        ("واحد", "واحد"),
        ("بالبطاقه", "بطاقه"),
        ("للبطاقه", "بطاقه"),
        ("بطاقتي", "بطاقه"),
        ("بطاقتها", "بطاقه"),
        ("حسابي", "حساب"),
        ("حسابكم", "حساب"),
        ("وبالحساب", "حساب"),
        ("معلوماتي", "معلومات"),
        ("هالبطاقه", "بطاقه"),
    ],
)
def test_clitics_stripped(word, stem):
    assert light_stem(word) == stem


def test_stemmer_ignores_latin_digits_and_empty():
    assert light_stem("") == ""
    assert light_stem("visa") == "visa"
    assert light_stem("12345") == "12345"


# --------------------------------------------------------- LinearIntentClassifier
TINY = {
    "greet": ["السلام عليكم", "هلا والله", "مرحبا", "اهلين", "صباح الخير", "مساء الخير"],
    "check_balance": [
        "كم رصيدي",
        "ابي اعرف رصيدي",
        "وش رصيد حسابي",
        "رصيدي كم",
        "ابغى اشوف الرصيد",
        "كم باقي في حسابي",
    ],
    "card_lost": [
        "ضاعت بطاقتي",
        "فقدت البطاقه",
        "بطاقتي انسرقت",
        "ما لقيت بطاقتي",
        "البطاقه ضايعه",
        "سرقوا بطاقتي",
    ],
}


def _training_data(extra=None):
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = [
        Message(data={TEXT: text, INTENT: intent})
        for intent, texts in {**TINY, **(extra or {})}.items()
        for text in texts
    ]
    return TrainingData(training_examples=examples)


def _pipeline_parts(tmp_path, config=None):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.nlu.linear_classifier import LinearIntentClassifier
    from bot.nlu.tokenizer import ArabicTokenizer

    tmp_path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_intent")
    context = ExecutionContext(GraphSchema({}), node_name="linear_intent")
    tokenizer = ArabicTokenizer(
        {**ArabicTokenizer.get_default_config(), "dialect": True, "stem": True}
    )
    classifier = LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **(config or {})},
        storage,
        resource,
        context,
    )
    return tokenizer, classifier, storage, resource, context


def _parse(tokenizer, classifier, texts):
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    messages = [Message(data={TEXT: t}) for t in texts]
    tokenizer.process(messages)
    classifier.process(messages)
    return messages


def test_linear_classifier_trains_persists_loads_and_predicts(tmp_path):
    from bot.nlu.linear_classifier import LinearIntentClassifier

    tokenizer, classifier, storage, resource, context = _pipeline_parts(tmp_path)
    data = _training_data()
    tokenizer.process_training_data(data)
    classifier.train(data)

    texts = ["وش رصيدي الحين؟", "بطاقتي ضاعت امس", "السلام عليكم ورحمة الله"]
    before = _parse(tokenizer, classifier, texts)
    assert [m.get("intent")["name"] for m in before] == ["check_balance", "card_lost", "greet"]

    loaded = LinearIntentClassifier.load(
        {**LinearIntentClassifier.get_default_config()}, storage, resource, context
    )
    after = _parse(tokenizer, loaded, texts)
    for a, b in zip(before, after):
        assert a.get("intent")["name"] == b.get("intent")["name"]
        assert a.get("intent")["confidence"] == pytest.approx(b.get("intent")["confidence"])

    for message in after:
        ranking = message.get("intent_ranking")
        assert {r["name"] for r in ranking} == set(TINY)
        confidences = [r["confidence"] for r in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(1.0)
        assert all(0.0 <= c <= 1.0 for c in confidences)
        assert message.get("intent") == ranking[0]
        # Meaningful for the fallback: the winner clearly above chance (1/3).
        assert ranking[0]["confidence"] > 0.5


def test_linear_classifier_is_deterministic(tmp_path):
    results = []
    for run in range(2):
        tokenizer, classifier, *_ = _pipeline_parts(tmp_path / str(run))
        data = _training_data()
        tokenizer.process_training_data(data)
        classifier.train(data)
        results.append(classifier.coef.copy())
    assert (results[0] == results[1]).all()


def test_linear_classifier_ranking_length_and_blend(tmp_path):
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    tokenizer, classifier, *_ = _pipeline_parts(
        tmp_path, {"ranking_length": 2, "blend_with_previous": 0.5}
    )
    data = _training_data()
    tokenizer.process_training_data(data)
    classifier.train(data)

    message = Message(data={TEXT: "مرحبا"})
    # An earlier classifier (e.g. DIET) was sure it is card_lost.
    message.set("intent_ranking", [{"name": "card_lost", "confidence": 1.0}])
    tokenizer.process([message])
    classifier.process([message])
    ranking = message.get("intent_ranking")
    assert len(ranking) == 2
    names = [r["name"] for r in ranking]
    assert set(names) <= {"greet", "card_lost"}
    card_lost = next(r["confidence"] for r in ranking if r["name"] == "card_lost")
    assert card_lost >= 0.5  # half the weight came from the earlier classifier


def test_linear_classifier_retrieval_intents_are_one_class(tmp_path):
    """faq/<key> examples train the intent `faq`; the ResponseSelector picks the key."""
    from rasa.shared.importers.rasa import RasaFileImporter  # noqa: F401 (import check)
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    yaml_text = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - السلام عليكم
    - هلا والله
    - مرحبا
- intent: faq/working_hours
  examples: |
    - متى تفتحون
    - وش اوقات الدوام
- intent: faq/contact_channels
  examples: |
    - كيف اتواصل معكم
    - رقم خدمة العملاء
"""
    data = RasaYAMLReader().reads(yaml_text)
    tokenizer, classifier, *_ = _pipeline_parts(tmp_path)
    tokenizer.process_training_data(data)
    classifier.train(data)
    assert classifier.classes == ["faq", "greet"]
    message = _parse(tokenizer, classifier, ["وش اوقات الدوام عندكم"])[0]
    assert message.get("intent")["name"] == "faq"


def test_linear_classifier_untrained_or_single_intent(tmp_path):
    tokenizer, classifier, *_ = _pipeline_parts(tmp_path)
    message = _parse(tokenizer, classifier, ["مرحبا"])[0]
    assert message.get("intent") is None  # untrained: leaves the message alone

    tokenizer, classifier, *_ = _pipeline_parts(tmp_path / "one")
    data = _training_data()
    data = data.filter_training_examples(lambda m: m.get("intent") == "greet")
    tokenizer.process_training_data(data)
    classifier.train(data)
    message = _parse(tokenizer, classifier, ["اي شي"])[0]
    assert message.get("intent") == {"name": "greet", "confidence": 1.0}


def test_linear_classifier_rejects_bad_config():
    from bot.nlu.linear_classifier import LinearIntentClassifier

    with pytest.raises(ValueError):
        LinearIntentClassifier.validate_config({"blend_with_previous": 1.5})
    with pytest.raises(ValueError):
        LinearIntentClassifier.validate_config({"min_ngram": 6, "max_ngram": 2})


# -------------------------------------------------------- LinearResponseSelector
FAQ_YAML = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - السلام عليكم
    - هلا والله
    - مرحبا
- intent: faq/working_hours
  examples: |
    - متى تفتحون
    - وش اوقات الدوام
    - متى يبدا الدوام عندكم
- intent: faq/contact_channels
  examples: |
    - كيف اتواصل معكم
    - رقم خدمة العملاء
    - ابي رقم التواصل
responses:
  utter_faq/working_hours:
  - text: الدوام من الاحد الى الخميس
  utter_faq/contact_channels:
  - text: اتصل على الرقم الموحد
"""


def _selector(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.nlu.linear_response_selector import LinearResponseSelector

    tmp_path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_selector")
    context = ExecutionContext(GraphSchema({}), node_name="linear_selector")
    config = {**LinearResponseSelector.get_default_config(), "retrieval_intent": "faq"}
    return LinearResponseSelector, config, storage, resource, context


def test_linear_response_selector_output_drives_rasa_utter_faq(tmp_path):
    import asyncio

    from rasa.core.actions.action import ActionRetrieveResponse
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    from bot.nlu.tokenizer import ArabicTokenizer

    data = RasaYAMLReader().reads(FAQ_YAML)
    tokenizer = ArabicTokenizer({**ArabicTokenizer.get_default_config(), "dialect": True})
    tokenizer.process_training_data(data)
    cls, config, storage, resource, context = _selector(tmp_path)
    selector = cls.create(config, storage, resource, context)
    selector.train(data)
    loaded = cls.load(config, storage, resource, context)

    message = _parse(tokenizer, loaded, ["وش اوقات الدوام عندكم؟"])[0]
    output = message.get("response_selector")
    assert output["all_retrieval_intents"] == ["faq"]
    prediction = output["faq"]["response"]
    assert prediction["intent_response_key"] == "faq/working_hours"
    assert prediction["utter_action"] == "utter_faq/working_hours"
    assert prediction["responses"] == [{"text": "الدوام من الاحد الى الخميس"}]
    ranking = output["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking][0] == "faq/working_hours"
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert prediction["confidence"] == ranking[0]["confidence"] > 0.5

    # What Rasa does with it: full retrieval intent on the parse data, and the
    # built-in utter_faq action answers with the selected response.
    parse_data = {
        "text": message.get("text"),
        "intent": {"name": "faq", "confidence": 0.9},
        "intent_ranking": [{"name": "faq", "confidence": 0.9}],
        "entities": [],
        "response_selector": output,
    }
    MessageProcessor._update_full_retrieval_intent(None, parse_data)
    assert parse_data["intent"]["full_retrieval_intent_name"] == "faq/working_hours"

    domain = Domain.from_yaml(
        """
version: "3.1"
intents: [greet, faq]
responses:
  utter_faq/working_hours:
  - text: الدوام من الاحد الى الخميس
  utter_faq/contact_channels:
  - text: اتصل على الرقم الموحد
"""
    )
    tracker = DialogueStateTracker.from_events(
        "u1", [UserUttered(message.get("text"), parse_data["intent"], [], parse_data)]
    )
    action = ActionRetrieveResponse("utter_faq")
    assert action.get_full_retrieval_name(tracker) == "utter_faq/working_hours"
    events = asyncio.run(
        action.run(
            CollectingOutputChannel(),
            TemplatedNaturalLanguageGenerator(domain.responses),
            tracker,
            domain,
        )
    )
    assert events and events[0].text == "الدوام من الاحد الى الخميس"


def test_linear_response_selector_without_faq_data_is_silent(tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    from bot.nlu.tokenizer import ArabicTokenizer

    data = RasaYAMLReader().reads(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - هلا\n    - مرحبا\n'
    )
    tokenizer = ArabicTokenizer(ArabicTokenizer.get_default_config())
    tokenizer.process_training_data(data)
    cls, config, storage, resource, context = _selector(tmp_path)
    selector = cls.create(config, storage, resource, context)
    selector.train(data)
    message = _parse(tokenizer, selector, ["هلا"])[0]
    assert message.get("response_selector") is None


def _tiny_model(**overrides):
    from bot.nlu.linear_model import LinearTextModel, linear_model_defaults

    model = LinearTextModel({**linear_model_defaults(), **overrides})
    texts = [
        "وش شروط الاهليه",
        "شروط التسجيل في حساب المواطن",
        "ابي اغير الايبان",
        "تغيير الحساب البنكي",
        "السلام عليكم",
        "هلا والله",
    ] * 3
    labels = ["faq", "faq", "iban", "iban", "greet", "greet"] * 3
    model.fit(texts, labels)
    return model


def test_text_of_unknown_ngrams_gets_no_preference():
    model = _tiny_model()
    known, mashed = model.predict_proba(["وش شروط التسجيل", "ظظظ ثثث غغغ"])
    assert known.max() > 0.5
    assert np.allclose(mashed, 1 / 3)
    assert model.coverage("ظظظ ثثث غغغ") < 0.3 <= model.coverage("وش شروط التسجيل")


def test_coverage_check_can_be_switched_off():
    model = _tiny_model(min_coverage=0.0)
    (mashed,) = model.predict_proba(["ظظظ ثثث غغغ"])
    assert not np.allclose(mashed, 1 / 3)


def test_bare_numbers_share_their_shape():
    from bot.nlu.linear_model import digit_shape

    assert digit_shape("عمري 16") == digit_shape("عمري 35") == "عمري 00"


_FAST_PATH_TEXTS = [
    "كيف اغير الايبان",
    "ابي اغير رقم جوالي",
    "وش شروط حساب المواطن",
    "متى ينزل الدعم",
    "نسيت كلمة المرور",
    "تغيير رقم الجوال",
    "شروط التسجيل في البرنامج",
    "موعد نزول الدعم",
]
_FAST_PATH_LABELS = {
    "four classes": [
        "iban",
        "mobile",
        "conditions",
        "date",
        "password",
        "mobile",
        "conditions",
        "date",
    ],
    "two classes": [
        "account",
        "account",
        "support",
        "support",
        "account",
        "account",
        "support",
        "support",
    ],
}
_FAST_PATH_PROBES = _FAST_PATH_TEXTS + [
    "ابغى اغير الايبان حقي",
    "ظظظ ثثث",
    "",
    "0000",
    "الدعم الدعم الدعم نزل؟",
]


def _scikit_learn_reference(config, texts, labels):
    """scikit-learn's own pipeline for `config`, built here from the configuration alone
    (none of bot.nlu's code): TfidfVectorizer(s) and a multinomial LogisticRegression
    fitted on the same texts. Returns the function from texts to its predict_proba."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    common = dict(sublinear_tf=config["sublinear_tf"], lowercase=False, dtype=np.float64)
    vectorizers = [
        TfidfVectorizer(
            analyzer=config["analyzer"],
            ngram_range=(config["min_ngram"], config["max_ngram"]),
            **common,
        )
    ]
    if config["max_word_ngram"]:
        vectorizers.append(
            TfidfVectorizer(
                analyzer="word",
                token_pattern=r"\S+",
                ngram_range=(1, config["max_word_ngram"]),
                **common,
            )
        )
    train = sp.hstack([v.fit_transform(texts) for v in vectorizers], format="csr")
    classifier = LogisticRegression(
        C=config["C"],
        max_iter=config["max_iter"],
        random_state=config["random_seed"],
        solver="lbfgs",
        multi_class="multinomial",
    ).fit(train, labels)

    def predict_proba(probes):
        features = sp.hstack([v.transform(probes) for v in vectorizers], format="csr")
        return classifier.classes_, classifier.predict_proba(features)

    return predict_proba


@pytest.mark.parametrize("labels", sorted(_FAST_PATH_LABELS))
@pytest.mark.parametrize("word_ngrams", [0, 2])
def test_one_message_fast_path_matches_scikit_learn(word_ngrams, labels):
    """The probabilities the server computes for one message (its fast path) and for a
    batch are scikit-learn's: LogisticRegression.predict_proba over TfidfVectorizer
    features, fitted independently on the same data. The unknown-text guard is ours, not
    scikit-learn's: off here, checked on its own below."""
    from bot.nlu.linear_model import LinearTextModel, linear_model_defaults

    config = {
        **linear_model_defaults(),
        "C": 100.0,
        "max_word_ngram": word_ngrams,
        "min_coverage": 0.0,
    }
    model = LinearTextModel(config)
    model.fit(_FAST_PATH_TEXTS, _FAST_PATH_LABELS[labels])
    classes, expected = _scikit_learn_reference(
        config, _FAST_PATH_TEXTS, _FAST_PATH_LABELS[labels]
    )(_FAST_PATH_PROBES)

    assert list(classes) == model.classes
    assert expected.std(axis=1).max() > 0.1  # the probes are not all alike
    np.testing.assert_allclose(
        model.predict_proba(_FAST_PATH_PROBES), expected, rtol=1e-9, atol=1e-12
    )
    for probe, row in zip(_FAST_PATH_PROBES, expected):
        np.testing.assert_allclose(model.predict_proba([probe])[0], row, rtol=1e-9, atol=1e-12)


def test_the_fast_path_keeps_the_unknown_text_guard():
    from bot.nlu.linear_model import LinearTextModel, linear_model_defaults

    model = LinearTextModel({**linear_model_defaults(), "C": 100.0})
    model.fit(_FAST_PATH_TEXTS, _FAST_PATH_LABELS["four classes"])
    assert np.allclose(model.predict_proba(["ظظظ ثثث"])[0], 1 / len(model.classes))
    assert model.predict_proba(["متى ينزل الدعم"])[0].max() > 0.5
