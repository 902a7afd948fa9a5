"""Personal numbers written to a log come out masked once `install_log_masking` has run:
in the message, in its args, in exception text, in Sanic's access log line, on handlers
added before or after; in every form the bot accepts them (tests/support/personal_formats.py)."""

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.masking import ACCESS_LOGGER, MaskingFilter, install_log_masking
from tests.support.personal_formats import FORMATS, leaked

ROOT = Path(__file__).resolve().parents[2]
NATIONAL_ID, MOBILE, IBAN = "1023456781", "0551234567", "SA0380000000608010167519"
MASKED = ("10••••••81", "05••••••67", "SA••••••••••••••••••••19")


@pytest.fixture
def stream():
    """A handler attached after installation, as Rasa, Sanic and coloredlogs do."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("tests.privacy")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    yield log, out
    log.removeHandler(handler)


def _assert_masked(text: str) -> None:
    for raw in (NATIONAL_ID, MOBILE, IBAN, "966551234567"):
        assert raw not in text
    for masked in MASKED:
        assert masked in text


def test_numbers_in_the_message_and_in_its_args_are_masked(log_masking, stream):
    log, out = stream
    log.info("citizen %s asked to move mobile %s to IBAN %s", NATIONAL_ID, MOBILE, IBAN)
    log.warning(f"inline: {NATIONAL_ID} {MOBILE} {IBAN}")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        _assert_masked(line)


def test_arabic_indic_digits_and_an_iban_with_spaces_are_masked_too(log_masking, stream):
    log, out = stream
    log.info("الجوال %s والآيبان %s", "٠٥٥١٢٣٤٥٦٧", "SA03 8000 0000 6080 1016 7519")
    text = out.getvalue()
    assert MOBILE not in text and "6080 1016" not in text
    assert "05••••••67" in text and "SA••••••••••••••••••••19" in text


def test_exception_text_is_masked(log_masking, stream):
    log, out = stream
    try:
        raise ValueError(f"no account for {NATIONAL_ID} / {MOBILE} / {IBAN}")
    except ValueError:
        log.exception("lookup failed")
    text = out.getvalue()
    assert "Traceback" in text and "ValueError: no account for" in text
    _assert_masked(text)


def test_caplog_sees_the_masked_record(log_masking, caplog):
    with caplog.at_level(logging.INFO, logger="tests.privacy"):
        logging.getLogger("tests.privacy").info(
            "id=%s mobile=%s iban=%s", NATIONAL_ID, MOBILE, IBAN
        )
    _assert_masked(caplog.text)
    _assert_masked(caplog.records[0].getMessage())


def test_root_handlers_present_at_installation_get_the_filter_once(log_masking):
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        install_log_masking()
        install_log_masking()
        assert sum(isinstance(f, MaskingFilter) for f in handler.filters) == 1
        # A record rebuilt from a dict (e.g. received from another process) bypasses the
        # record factory; the handler's filter still masks it.
        record = logging.makeLogRecord(
            {"msg": "id %s", "args": (NATIONAL_ID,), "levelno": 30, "levelname": "WARNING"}
        )
        handler.handle(record)
        assert handler.stream.getvalue().strip() == "id 10••••••81"
    finally:
        root.removeHandler(handler)


def test_installing_twice_masks_once_and_leaves_other_records_alone(log_masking, stream):
    install_log_masking()
    log, out = stream
    log.info("%s", NATIONAL_ID)
    log.info("answered in %d ms for %s", 42, "faq/conditions")
    assert out.getvalue().splitlines() == [
        "INFO 10••••••81",
        "INFO answered in 42 ms for faq/conditions",
    ]


def test_a_process_without_logging_configured_is_masked_too():
    """No handler at all: Python's last-resort handler prints warnings to stderr."""
    code = (
        "import logging\nfrom bot.masking import install_log_masking\n"
        "install_log_masking()\n"
        f"logging.getLogger('x').warning('id %s mobile %s iban %s', '{NATIONAL_ID}', "
        f"'{MOBILE}', '{IBAN}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    _assert_masked(done.stderr)


@pytest.mark.parametrize("typed", FORMATS)
def test_every_format_the_bot_accepts_is_masked_in_the_log(log_masking, stream, typed):
    log, out = stream
    log.info("desk search q=%s", typed)
    log.warning(f"citizen wrote: {typed} ({typed})")
    text = out.getvalue()
    assert len(text.splitlines()) == 2 and leaked(text) == [], text


def test_the_url_of_an_access_log_line_is_masked(log_masking):
    """Sanic logs the URL (a desk search's query string) in the record's `request`."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(request)s %(message)s"))
    access = logging.getLogger(ACCESS_LOGGER)
    access.addHandler(handler)
    level, access.level = access.level, logging.INFO
    try:
        for query in (
            "q=0559182736x1087654321",
            "q=055+918+2736",
            "q=%D9%A0%D9%A5%D9%A5%D9%A9%D9%A1%D9%A8%D9%A2%D9%A7%D9%A3%D9%A6",
        ):
            access.info("", extra={"request": f"GET http://desk.test/desk/api/queue?{query}"})
    finally:
        access.removeHandler(handler)
        access.level = level
    text = out.getvalue()
    assert len(text.splitlines()) == 3 and leaked(text) == [], text
    assert "/desk/api/queue?q=05••••••36x10••••••21" in text
