"""National ID / residence number, mobile, IBAN and reference-number parsing."""

import pytest

from bot.services.verification import validators as v


def nic_check(number: str) -> bool:
    """The Saudi NIC algorithm as commonly published (odd positions doubled, digits
    of each product summed), written independently of validators.luhn_valid."""
    if len(number) != 10 or not number.isdigit() or number[0] not in "12":
        return False
    total = 0
    for i, ch in enumerate(number):
        if i % 2 == 0:
            doubled = str(int(ch) * 2).zfill(2)
            total += int(doubled[0]) + int(doubled[1])
        else:
            total += int(ch)
    return total % 10 == 0


VALID_IDS = ["1023456781", "1109876548", "2100000013", "1000000008", "2234567895", "1987654322"]
# (value, why it is wrong)
INVALID_IDS = [
    ("1023456782", v.CHECKSUM),  # last digit changed
    ("1023456718", v.CHECKSUM),  # two digits swapped
    ("1109876549", v.CHECKSUM),
    ("2100000012", v.CHECKSUM),
    ("3023456781", v.PREFIX),  # neither citizen (1) nor resident (2)
    ("0551234567", v.PREFIX),  # a mobile typed where the ID was asked
    ("102345678", v.LENGTH),  # 9 digits
    ("10234567811", v.LENGTH),  # 11 digits
    ("ما اعرفه", v.EMPTY),
]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_national_ids(number):
    assert nic_check(number), "test data must be right by the published algorithm"
    assert v.national_id_valid(number)
    assert v.parse_national_id(number).value == number


@pytest.mark.parametrize("number,error", INVALID_IDS)
def test_invalid_national_ids(number, error):
    parsed = v.parse_national_id(number)
    assert not parsed.ok
    assert parsed.error == error
    if number.isdigit() and len(number) == 10:
        assert not nic_check(number) or number[0] not in "12"


def test_every_single_digit_typo_is_caught():
    good = "1023456781"
    for i in range(10):
        for d in "0123456789":
            if d == good[i]:
                continue
            typo = good[:i] + d + good[i + 1 :]
            assert not v.national_id_valid(typo), typo


@pytest.mark.parametrize(
    "text",
    [
        "١٠٢٣٤٥٦٧٨١",
        "رقم هويتي 1023456781",
        "1023 456 781",
        "1023-456-781",
        "هويتي: ١٠٢٣٤٥٦٧٨١ شكرا",
    ],
)
def test_national_id_in_a_sentence_or_arabic_digits(text):
    assert v.parse_national_id(text).value == "1023456781"


def test_national_id_next_to_a_mobile_is_found():
    assert v.parse_national_id("1023456781 0550000001").value == "1023456781"


def test_length_error_reports_digits_typed():
    assert v.parse_national_id("12345").digits == 5


@pytest.mark.parametrize(
    "text",
    [
        "0551234567",
        "551234567",
        "+966551234567",
        "966551234567",
        "00966551234567",
        "٠٥٥١٢٣٤٥٦٧",
        "+٩٦٦٥٥١٢٣٤٥٦٧",
        "055 123 4567",
        "055-123-4567",
        "+966 55 123 4567",
        "جوالي 0551234567 لو سمحت",
        "+966 0551234567",
    ],
)
def test_mobiles_normalise_to_05(text):
    assert v.parse_mobile(text).value == "0551234567"


@pytest.mark.parametrize(
    "text,error",
    [
        ("0112345678", v.PREFIX),  # Riyadh landline
        ("0451234567", v.PREFIX),
        ("055123456", v.LENGTH),  # 9 digits starting 05
        ("05512345678", v.LENGTH),  # 11 digits
        ("+971501234567", v.LENGTH),  # UAE number
        ("+9665512345", v.LENGTH),
        ("ما عندي", v.EMPTY),
    ],
)
def test_impossible_mobiles(text, error):
    parsed = v.parse_mobile(text)
    assert not parsed.ok
    assert parsed.error == error


def test_mobile_e164():
    assert v.mobile_e164("0551234567") == "+966551234567"
    with pytest.raises(ValueError):
        v.mobile_e164("0111234567")


def _iban(bank_and_account: str) -> str:
    """Build a Saudi IBAN with correct check digits (ISO 13616)."""
    numeric = "".join(str(int(c, 36)) for c in bank_and_account + "SA00")
    check = 98 - int(numeric) % 97
    return f"SA{check:02d}{bank_and_account}"


def test_iban_valid_and_normalised():
    iban = _iban("80000000608010167519")
    assert len(iban) == 24
    spaced = " ".join(iban[i : i + 4] for i in range(0, 24, 4)).lower()
    assert v.parse_iban(spaced).value == iban
    assert v.parse_iban(f"الايبان حقي {iban}").value == iban


@pytest.mark.parametrize(
    "text,error",
    [
        ("SA0380000000608010167518", v.CHECKSUM),
        ("SA03800000006080101675", v.LENGTH),
        ("AE070331234567890123456", v.PREFIX),
        ("ما ادري", v.EMPTY),
    ],
)
def test_iban_invalid(text, error):
    if error == v.CHECKSUM:
        good = _iban("80000000608010167519")
        text = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert v.parse_iban(text).error == error


def test_ticket_and_objection_numbers_have_check_digits():
    body = "7848825"
    ticket = body + v.luhn_check_digit(body)
    assert v.parse_ticket_number(f"رقم البلاغ {ticket}").value == ticket
    wrong = ticket[:-1] + str((int(ticket[-1]) + 1) % 10)
    assert v.parse_ticket_number(wrong).error == v.CHECKSUM
    assert v.parse_ticket_number("1234").error == v.LENGTH
    assert v.parse_objection_number("100000009").value == "100000009"
    assert v.parse_objection_number("100000008").error == v.CHECKSUM


def test_otp_parsing():
    assert v.parse_otp("الرمز ٤٨٢٩١٣").value == "482913"
    assert v.parse_otp("4829").error == v.LENGTH
    assert v.parse_otp("ما وصل").error == v.EMPTY
