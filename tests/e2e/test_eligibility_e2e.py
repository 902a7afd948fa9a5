"""Eligibility pre-check end to end over the REST channel, in Saudi dialect.

Needs the `rasa_server` fixture (tests/conftest.py): a Rasa server and an action
server trained on the whole repository.
"""

import uuid

import pytest
import requests

pytestmark = pytest.mark.server


class Citizen:
    def __init__(self, server):
        self.url = f"{server}/webhooks/rest/webhook"
        self.sender = uuid.uuid4().hex
        self.last = []

    def says(self, text):
        response = requests.post(
            self.url, json={"sender": self.sender, "message": text}, timeout=120
        )
        assert response.status_code == 200, response.text[:500]
        self.last = response.json()
        assert self.last, f"no reply to {text!r}"
        return self.text

    def taps(self, title):
        """Press a button of the latest reply by its title (sends its payload)."""
        for message in self.last:
            for button in message.get("buttons") or []:
                if button["title"] == title:
                    return self.says(button["payload"])
        raise AssertionError(f"no button {title!r} in {self.last}")

    @property
    def text(self):
        return "\n".join(m.get("text") or "" for m in self.last)

    @property
    def payloads(self):
        return [b["payload"] for m in self.last for b in m.get("buttons") or []]


def test_complete_pre_check_in_dialect(rasa_server):
    c = Citizen(rasa_server)
    reply = c.says("ابي اعرف اذا انا مستحق")
    assert "استرشادية" in reply and "سعودي الجنسية" in reply
    assert "كم عمرك" in c.says("ايه")
    assert "بشكل دائم" in c.says("٣٥ سنة")
    assert "خارج المملكة" in c.says("اي")
    assert "دار إيواء" in c.says("ما سافرت")
    assert "التابعين" in c.says("لا ابد")
    assert "18 سنة أو أكثر" in c.says("عندي ٣")
    assert "دخل أسرتك" in c.says("واحد بس")
    assert "أصول" in c.says("خمسة آلاف")
    summary = c.says("لا والله ما عندي")
    for expected in ("العمر: 35 سنة", "ما سافرت", "التابعين: 3", "5,000 ريال", "كلها صحيحة"):
        assert expected in summary
    result = c.says("ايه صحيحة")
    assert "غالبًا تنطبق" in result
    assert "الدعم الشهري التقديري" in result and "المستفيد الأساسي" in result
    assert "ليس قرار البرنامج" in result
    assert "19912" in result and "دراسة الأهلية" in result


def test_early_stop_under_18_says_why(rasa_server):
    c = Citizen(rasa_server)
    c.says("هل استحق دعم حساب المواطن؟")
    c.taps("ايه")
    result = c.says("عمري ١٦")
    assert "غالبًا ما تنطبق" in result and "16" in result and "18" in result
    assert "بشكل دائم" not in result  # no more questions
    assert any(p.startswith("/check_eligibility") for p in c.payloads)


def test_bad_answer_is_explained_then_asked_again(rasa_server):
    c = Citizen(rasa_server)
    c.says("ابي اتحقق من اهليتي")
    c.says("ايه")
    reply = c.says("٢٥٠")
    assert "250" in reply and "كم عمرك" in reply
    assert "بشكل دائم" in c.says("40")


def test_faq_in_the_middle_then_the_same_question(rasa_server):
    c = Citizen(rasa_server)
    c.says("ابي اعرف اذا انا مستحق")
    c.says("ايه")
    reply = c.says("وش رقم خدمة العملاء؟")
    assert "19912" in reply and "كم عمرك" in reply
    assert "بشكل دائم" in c.says("٣٠")


def test_cancel_stops_cleanly(rasa_server):
    c = Citizen(rasa_server)
    c.says("ابي اعرف اذا انا مستحق")
    c.says("ايه")
    assert "وقّفت التحقق" in c.says("الغاء")
    assert "كم عمرك" not in c.text


def test_correct_an_answer_at_the_summary(rasa_server):
    c = Citizen(rasa_server)
    c.says("ابي اعرف اذا انا مستحق")
    for answer in ("ايه", "30", "ايه", "ما سافرت", "لا"):
        c.says(answer)
    c.taps("ما عندي تابعين")
    c.taps("ايه")  # independent housing
    c.says("3000 ريال")
    assert "كلها صحيحة" in c.says("لا")
    c.taps("أبي أعدّل")
    assert "كم عمرك" in c.taps("العمر")
    assert "العمر: 31 سنة" in c.says("٣١")
    assert "غالبًا تنطبق" in c.taps("صحيحة، اعرض النتيجة")


def test_cancel_with_nothing_running(rasa_server):
    c = Citizen(rasa_server)
    assert "ما فيه شي شغال" in c.says("الغاء")
    assert '/faq_pick{"faq_key": "eligibility_conditions"}' in c.payloads
    assert "/check_eligibility" in c.payloads
