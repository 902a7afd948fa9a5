"""What the pre-check says (bot.services.eligibility.messages over bot/content/eligibility.yml):
plain functions of the answers, checked word for word where a citizen reads them."""

import re

import pytest

from bot.content import eligibility_text, eligibility_wording, fact, fill
from bot.services.eligibility import messages as m
from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    ANSWER_SLOTS,
    ASSETS,
    CONFIRM,
    DEPENDANTS,
    EXCEPTION,
    INCOME,
    INDEPENDENT,
    SAUDI,
    STAGE,
)
from bot.services.parsing import parse_household
from tests.support.eligibility_answers import FAMILY


def leaves(node, path=""):
    if isinstance(node, dict):
        for key, child in node.items():
            yield from leaves(child, f"{path}.{key}" if path else str(key))
    else:
        yield path, node


@pytest.mark.parametrize("path, text", list(leaves(eligibility_wording())))
def test_every_line_is_text_whose_facts_exist(path, text):
    assert isinstance(text, str) and text.strip(), path
    filled = fill(text)  # raises KeyError for an unknown fact
    assert not re.search(r"\{[a-z_]+\.[a-z_]+\}", filled), path
    if path.startswith(("buttons.", "fields.")):
        assert len(filled) <= 20, path  # WhatsApp reply buttons


def test_wording_fills_facts_and_values():
    assert eligibility_text("errors.count_negative", what="العدد") == (
        "العدد ما يكون بالسالب 🙂 اكتب رقم مثل 3، أو 0."
    )
    assert eligibility_text("estimate.total", amount=1368) == "💰 الدعم الشهري التقديري: 1,368 ريال"
    assert fact("contact.unified_number") in eligibility_text("result.next_steps.cannot_tell")


def test_every_question_has_text_and_short_buttons():
    for slot in ANSWER_SLOTS:
        text, buttons = m.question(slot, {**FAMILY, DEPENDANTS: 3})
        assert text
        for b in buttons:
            assert len(b["title"]) <= 20 and len(b["payload"].encode()) <= 64, b
    with pytest.raises(KeyError):
        m.question("elig_unknown", {})


def test_questions_word_for_word():
    assert m.question(SAUDI, {}) == (
        "أول سؤال: أنت سعودي الجنسية؟",
        [
            {"title": "ايه", "payload": '/inform{"elig_choice":"yes"}'},
            {"title": "لا", "payload": '/inform{"elig_choice":"no"}'},
        ],
    )
    assert m.question(ABROAD, {})[0] == (
        'كم أطول مدة قضيتها مؤخرًا خارج المملكة؟ مثل: شهرين، 45 يوم، أو "ما سافرت".\n'
        "(الشرط ما تزيد عن 3 أشهر)"
    )
    assert m.question(ADULTS, {DEPENDANTS: 3})[0] == "من الـ3 تابعين، كم واحد عمره 18 سنة أو أكثر؟"
    assert m.question(ADULTS, {DEPENDANTS: 1})[0] == "التابع عمره 18 سنة أو أكثر؟"
    assert [b["title"] for b in m.question(ASSETS, {})[1]] == ["ايه", "لا", "مو متأكد"]
    assert m.back_to("كم عمرك؟") == "نرجع للتحقق 👇\nكم عمرك؟"


def test_summary_lines():
    assert m.summary_lines(FAMILY) == [
        "الجنسية: سعودي",
        "العمر: 40 سنة",
        "مقيم بشكل دائم في المملكة: نعم",
        "أطول مدة خارج المملكة: ما سافرت",
        "في دار إيواء أو سجن: لا",
        "التابعين: 3 (1 بعمر 18 أو أكثر، 2 أقل من 18)",
        "دخل الأسرة الشهري: 5,000 ريال",
        "أصول أو عقارات عالية القيمة: لا",
    ]
    lines = m.summary_lines(
        {
            SAUDI: False,
            EXCEPTION: "saudi_mother",
            DEPENDANTS: 0,
            INDEPENDENT: "unsure",
            INCOME: 0,
            ABROAD: 1.5,
        }
    )
    assert lines == [
        "الجنسية: غير سعودي، ووالدتك سعودية",
        "أطول مدة خارج المملكة: شهر ونص",
        "التابعين: ما عندك تابعين",
        "سكن مستقل: مو متأكد",
        "دخل الأسرة الشهري: ما فيه دخل",
    ]


def test_summary_question_and_the_pick_list():
    text, buttons = m.summary_question(FAMILY)
    assert text.startswith("قبل النتيجة، هذي إجاباتك:\n• الجنسية: سعودي\n")
    assert text.endswith("\nكلها صحيحة؟")
    assert [b["title"] for b in buttons] == ["صحيحة، اعرض النتيجة", "أبي أعدّل"]
    text, buttons = m.summary_question({**FAMILY, STAGE: "pick_field"})
    assert text == "أي إجابة تبي تعدّل؟"
    assert buttons[1] == {"title": "العمر", "payload": '/inform{"elig_choice":"fix:age"}'}


def test_start_names_what_the_first_message_gave():
    assert m.start_text({}).startswith("تمام 👍 بسوي لك تحقق مبدئي سريع")
    assert m.start_text({SAUDI: True, INCOME: "6 الاف"}).endswith(
        "\nوأخذت من رسالتك: الجنسية، الدخل الشهري (تقدر تعدّلها قبل النتيجة)."
    )


def test_offer_after_repeated_wrong_answers():
    text = m.offer_text("خطأ")
    assert text.startswith("خطأ\n\nيبدو إن السؤال هذا متعب")
    assert [b["payload"] for b in m.offer_buttons()] == [
        '/inform{"elig_choice":"continue"}',
        "/cancel",
        '/human_handoff{"handoff_reason":"form_failed"}',
    ]


def test_likely_eligible_result_word_for_word():
    head, estimate, closing = m.result_messages({**FAMILY, CONFIRM: True})
    assert head["text"].startswith("✅ النتيجة المبدئية: غالبًا تنطبق عليك شروط حساب المواطن.\n✔️ ")
    assert estimate["text"] == (
        "💰 الدعم الشهري التقديري: 1,368 ريال\n"
        "• أنت (المستفيد الأساسي 100%): 651 ريال\n"
        "• تابع واحد بعمر 18 أو أكثر (50% لكل واحد): 326 ريال\n"
        "• 2 تابعين أقل من 18 (30% لكل واحد): 391 ريال\n"
        "نقص التقدير 144 ريال لأن دخل الأسرة أعلى من حد الإعفاء التقديري (4,200 ريال)، "
        "والدعم يتناقص كل ما زاد الدخل.\n"
        "⚠️ هذا تقدير تقريبي بأرقام توضيحية، والمبلغ الفعلي يحدده البرنامج."
    )
    assert closing["text"] == (
        "هذا تحقق مبدئي استرشادي وليس قرار البرنامج. البرنامج يدرس طلبك ويتحقق من مطابقة "
        "بياناتك للبيانات الرسمية لدى الجهات الحكومية.\n"
        'الخطوة الجاية: سجّل في بوابة حساب المواطن، وبعدها تابع حالتك من "دراسة الأهلية". '
        "ولأي استفسار اتصل على الرقم الموحد 19912."
    )


def test_early_stop_result_offers_to_correct_the_failing_answer():
    head, closing = m.result_messages({SAUDI: True, AGE: 17})
    assert head["text"].startswith(
        "❌ النتيجة المبدئية: غالبًا ما تنطبق عليك الشروط حاليًا، ووقفت الأسئلة هنا لأن شرط "
        "أساسي ما تحقق:\n✖️ "
    )
    assert closing["buttons"][0] == {
        "title": "عدّل إجابتي",
        "payload": '/check_eligibility{"elig_choice":"fix:age"}',
    }
    assert "إذا تغيّر وضعك تقدر تعيد التحقق بأي وقت." in closing["text"]


def test_cannot_tell_lists_the_unknowns_first():
    head, closing = m.result_messages({**FAMILY, ASSETS: "unsure", CONFIRM: True})
    lines = head["text"].split("\n")
    assert lines[0] == "❔ النتيجة المبدئية: ما أقدر أحدد من إجاباتك، لأن:"
    assert lines[1].startswith("❔ ") and lines[-1].startswith("✔️ ")
    assert closing["text"].endswith("أو تتصل على الرقم الموحد 19912 وتسألهم عن حالتك.")


def test_cancel_message():
    assert m.cancel_message()["text"] == (
        "تمام، وقّفت التحقق المبدئي 👍 ومسحت إجاباتك. تقدر تبدأ من جديد بأي وقت."
    )


@pytest.mark.parametrize(
    "text, shown",
    [
        ("زوجتي و٣ عيال", "زوجة و3 أبناء"),
        ("ولدين وبنت", "ولدين وبنت"),
        ("ثلاث بنات وولد", "3 بنات وولد"),
        ("زوجتين و٥ عيال", "زوجتين و5 أبناء"),
        ("انا وزوجتي وامي", "زوجة والوالدة"),
        ("ابوي وامي و٣ اخوان", "الوالد والوالدة و3 إخوان"),
        ("زوجتي و١٢ عيال", "زوجة و12 ابن"),
        ("عندي ٤ بس واحد متزوج وساكن لحاله", "من 4، واحد منهم ما ينحسب"),
        ("زوجتي و٣ عيال والكبير متزوج", "زوجة و3 أبناء، واحد منهم ما ينحسب"),
        ("احنا ٥", "أسرة من 5 وأنت منهم"),
    ],
)
def test_who_was_counted_in_the_citizens_terms(text, shown):
    assert m.people_text(parse_household(text)) == shown


def test_the_summary_shows_a_list_and_an_income_given_as_parts():
    slots = {**FAMILY, DEPENDANTS: 4, ADULTS: 1, INCOME: 10000}
    parts = {DEPENDANTS: parse_household("زوجتي و٣ عيال"), INCOME: (8000.0, 2000.0)}
    lines = m.summary_lines(slots, parts)
    assert "التابعين: 4 (زوجة و3 أبناء)، منهم 1 بعمر 18 أو أكثر و3 أقل من 18" in lines
    assert "دخل الأسرة الشهري: 10,000 ريال (8,000 + 2,000)" in lines
    assert "التابعين: 4 (زوجة و3 أبناء)" in m.summary_lines({DEPENDANTS: 4}, parts)
    # Without parts, as before.
    assert "التابعين: 4 (1 بعمر 18 أو أكثر، 3 أقل من 18)" in m.summary_lines(slots)


def test_the_ages_question_names_who_was_listed():
    parts = {DEPENDANTS: parse_household("زوجتي و٣ عيال")}
    assert m.question(ADULTS, {DEPENDANTS: 4}, parts)[0] == (
        "من الـ4 تابعين (زوجة و3 أبناء)، كم واحد عمره 18 سنة أو أكثر؟"
    )
    left_out = {DEPENDANTS: parse_household("عندي ٤ بس واحد متزوج")}
    assert m.question(ADULTS, {DEPENDANTS: 3}, left_out)[0].startswith("من الـ3 تابعين، كم")
