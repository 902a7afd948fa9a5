"""bot.masking.mask_text masks a personal number in every form the parsers accept it (and in
a few more), leaves other digits as they are, and stays fast on long runs of digits."""

from __future__ import annotations

import time

import pytest

from bot.masking import mask_text
from tests.support.personal_formats import ACCEPTED, FORMATS, leaked


@pytest.mark.parametrize("typed, parser", ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_each_format_is_one_the_parsers_accept(typed, parser):
    assert parser(typed).ok, typed


@pytest.mark.parametrize("typed", FORMATS)
def test_every_format_is_masked_inside_a_sentence(typed):
    for text in (typed, f"رقمي {typed} شكرا", f"ابي اعرف ({typed}).", f"x{typed}x"):
        masked = mask_text(text)
        assert leaked(text) and leaked(masked) == [], (text, masked)
        assert "••" in masked


def test_two_numbers_side_by_side_are_both_masked():
    masked = mask_text("0559182736 1087654321 و SA0380000000608010167519")
    assert masked == "05••••••36 10••••••21 و SA••••••••••••••••••••19"
    assert mask_text("0559182736x1087654321") == "05••••••36x10••••••21"


@pytest.mark.parametrize(
    "text",
    [
        "موعدي 2026-11-10 09:30",
        "الدخل 5,000.50 ريال و 12000 ريال",
        "بلاغ رقم 12345674 واعتراض 100000009",
        "الساعة 10:30 يوم 10/11/2026",
        "١٢٣",
    ],
)
def test_other_numbers_are_left_as_they_are(text):
    assert mask_text(text) == text.translate(str.maketrans("١٢٣", "123"))


def test_a_long_run_of_digits_is_masked_quickly():
    worst = " ".join(["1"] * 600)[:1000]
    mixed = " ".join(str(i) for i in range(300))
    started = time.perf_counter()
    for _ in range(5):
        mask_text(worst)
        mask_text(mixed)
    assert time.perf_counter() - started < 2.0  # about 5 ms each on a slow machine


def test_prose_after_sa_is_not_taken_for_an_iban():
    """Letters may stand in an IBAN, spaces between its groups: a sentence after "sa"
    matches that shape, and only a valid checksum makes it an IBAN."""
    line = "Rasa 3.6.22 is not the pinned 3.6.21: none of bot/patches is applied"
    assert mask_text(line) == line
    assert "6080" not in mask_text("SA03 8000 0000 6080 1016 7519")


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("الرمز 482913", "الرمز ••••••"),
        ("رمز التحقق هو: ٤٨٢٩١٣", "رمز التحقق هو: ••••••"),
        ("الكود حقي 4829", "الكود حقي ••••"),
        ("OTP:482913", "OTP:••••••"),
        ("كلمة المرور: Abc12345", "كلمة المرور: ••••••••"),
        ("الباسورد حقي sara1990", "الباسورد حقي ••••••••"),
    ],
)
def test_a_secret_named_as_one_is_masked(typed, shown):
    assert mask_text(typed) == shown


@pytest.mark.parametrize(
    "text",
    [
        "نسيت كلمة المرور وش اسوي",
        "كلمة المرور حقتي خربانة",
        "أرسلت رمز تحقق من 6 أرقام",
        "بلاغ رقم 12345674",
    ],
)
def test_words_about_secrets_are_not_secrets(text):
    assert mask_text(text) == text


def test_while_a_code_is_expected_a_bare_number_is_masked_whole():
    from bot.masking import mask_codes

    assert mask_codes("٤٨٢٩١٣") == "••••••"
    assert mask_codes("الرمز هو 482913 صح؟") == "الرمز هو •••••• صح؟"
    assert mask_codes("عمري 35") == "عمري 35"
