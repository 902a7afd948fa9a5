"""The web widget's session tokens (channels/web/channel.py): signed, and good only for
WEBCHAT_SESSION_DAYS after they were issued."""

from __future__ import annotations

import pytest

from channels.web.session import issue_session, verify_session

DAY = 86400
ISSUED = 1_790_000_000  # a fixed moment: the checks below never read the clock


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("WEBCHAT_SECRET", "unit-test-secret")
    monkeypatch.setenv("WEBCHAT_SESSION_DAYS", "30")


def test_a_token_is_good_until_its_lifetime_ends_and_refused_after(secret):
    session = issue_session(now=ISSUED)
    token, sid = session["token"], session["session_id"]
    assert token.split(".")[1] == str(ISSUED)
    assert verify_session(token, now=ISSUED) == sid
    assert verify_session(token, now=ISSUED + 30 * DAY) == sid
    assert verify_session(token, now=ISSUED + 30 * DAY + 1) is None


def test_the_refusal_of_an_old_token_follows_the_configured_lifetime(secret, monkeypatch):
    """The same genuine token, 31 days old: refused under 30 days, accepted under 32."""
    session = issue_session(now=ISSUED)
    later = ISSUED + 31 * DAY
    assert verify_session(session["token"], now=later) is None
    monkeypatch.setenv("WEBCHAT_SESSION_DAYS", "32")
    assert verify_session(session["token"], now=later) == session["session_id"]


def test_a_token_signed_with_another_secret_is_refused_while_young(secret, monkeypatch):
    token = issue_session(now=ISSUED)["token"]
    monkeypatch.setenv("WEBCHAT_SECRET", "another-secret")
    assert verify_session(token, now=ISSUED + 1) is None
