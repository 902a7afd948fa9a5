"""Content staff edit in the console: the checks refuse broken changes, four eyes,
publish reaches what citizens are told without a restart, rollback, history, export.
On SQLite and PostgreSQL (app_db)."""

from __future__ import annotations

import importlib

import pytest
import yaml
from sqlalchemy import select

from bot.content import fact, faq_title, fill, message
from bot.content.nlg import live_text
from bot.services.content import checks, decisions, export, live, workflow
from bot.store import engine, session_scope
from bot.store.audit import AuditEntry

NEW_NUMBER = "19913"


@pytest.fixture
def content_db(app_db):
    live.apply(0, {})
    yield app_db
    live.apply(0, {})


def _codes(key, texts):
    errors, warnings = checks.check(key, texts, workflow.current(key))
    return [e["code"] for e in errors], [w["code"] for w in warnings]


def _publish(key, texts, editor="ali", approver="huda"):
    change = workflow.propose(key, texts, editor)
    workflow.approve(change["id"], approver)
    release = workflow.publish(approver)["release"]
    live.refresh()  # a watcher thread of this process may have applied it already
    assert live.applied() == release
    return release


def _faq(key, lang="ar"):
    return live_text(f"utter_faq/{key}", lang, {})["text"]


def test_migration_matches_the_models(content_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.base import Base

    for module in ("content", "handoffs"):
        importlib.import_module(f"bot.store.{module}")
    with engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diff if "content_" in repr(d) or "desk_agent_access" in repr(d)]
    assert mine == []


def test_a_published_fact_and_answer_change_what_citizens_are_told_without_a_restart(
    content_db,
):
    assert "19912" in _faq("contact_channels")
    _publish("program.contact.unified_number", {"ar": NEW_NUMBER})
    assert fact("contact.unified_number") == NEW_NUMBER
    assert NEW_NUMBER in _faq("contact_channels") and "19912" not in _faq("contact_channels")
    assert NEW_NUMBER in _faq("working_hours", "en")  # a fact is the same in both languages

    old = workflow.current("faq.working_hours")
    ar = old["ar"].replace("ساعات عمل خدمة العملاء", "يرد عليك فريق خدمة العملاء")
    en = old["en"].replace("Customer service", "The customer service team")
    assert en != old["en"]
    _publish("faq.working_hours", {"ar": ar, "en": en}, editor="huda", approver="ali")
    assert _faq("working_hours").startswith("يرد عليك فريق خدمة العملاء")
    assert NEW_NUMBER in _faq("working_hours")
    assert _faq("working_hours", "en").startswith("The customer service team")


def test_an_edited_domain_reply_and_system_message_are_served(content_db):
    _publish(
        "response.utter_iamabot",
        {
            "ar": "أنا مساعد آلي، مو موظف. تقدر تتصل على {contact.unified_number}.",
            "en": "I am an automated assistant. You can call {contact.unified_number}.",
        },
    )
    said = live_text("utter_iamabot", "ar", {"text": "old"})["text"]
    assert said == "أنا مساعد آلي، مو موظف. تقدر تتصل على 19912."
    assert (
        live_text("utter_greet", "ar", {"text": "as in the domain"})["text"] == "as in the domain"
    )
    before = message("handoff.claim", agent="سارة")
    _publish(
        "message.handoff.claim",
        {"ar": "معك {agent} من خدمة العملاء 👤", "en": "{agent} from customer service is here 👤"},
    )
    assert message("handoff.claim", agent="سارة") == "معك سارة من خدمة العملاء 👤" != before


def test_nobody_approves_their_own_change_and_it_is_audited(content_db):
    change = workflow.propose("program.contact.unified_number", {"ar": NEW_NUMBER}, "ali")
    with pytest.raises(decisions.FourEyes):
        workflow.approve(change["id"], "ali")
    with pytest.raises(LookupError):
        workflow.publish("ali")  # nothing approved: nothing goes out
    assert fact("contact.unified_number") == "19912"
    with session_scope() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
    assert actions == ["content.proposed", "content.own_approval_refused"]
    workflow.approve(change["id"], "huda")
    with pytest.raises(ValueError):
        workflow.approve(change["id"], "omar")  # decided once


@pytest.mark.parametrize(
    "key,texts,code",
    [
        ("faq.working_hours", {"ar": "   "}, "empty"),
        ("faq.working_hours", {"ar": "اتصل على {contact.nope}"}, "unknown_placeholder"),
        ("message.handoff.claim", {"ar": "انضم لك موظف 👤"}, "missing_placeholder"),
        ("message.handoff.claim", {"ar": "انضم لك {agent} {name}"}, "unknown_placeholder"),
        ("faq.working_hours", {"ar": "اتصل على 19912 من 8 إلى 8"}, "typed_number"),
        ("faq.working_hours", {"ar": "اتصل على ١٩٩١٢"}, "typed_number"),
        ("faq.working_hours", {"ar": "اتصل {على"}, "broken_placeholder"),
        ("faq.working_hours", {"ar": "ا" * 1001}, "too_long"),
        ("faq.working_hours", {"en": "x " * 2100}, "too_long"),
        ("button.faq_password", {"ar": "استعادة كلمة المرور بسرعة"}, "too_long"),
        ("program.contact.opens_hour", {"ar": "ثمانية"}, "not_a_number"),
        ("program.eligibility_precheck.illustrative_amounts", {"ar": "yes"}, "not_yes_no"),
        ("faq.working_hours", {"fr": "bonjour"}, "unknown_language"),
    ],
)
def test_the_checks_refuse_a_broken_change(content_db, key, texts, code):
    errors, _ = _codes(key, texts)
    assert code in errors
    with pytest.raises(workflow.Refused):
        workflow.propose(key, texts, "ali")
    assert workflow.changes() == []


def test_one_language_changed_is_flagged_not_refused(content_db):
    old = workflow.current("faq.working_hours")["ar"]
    errors, warnings = _codes("faq.working_hours", {"ar": old + " 🌿"})
    assert errors == [] and warnings == ["other_language_unchanged"]
    change = workflow.propose("faq.working_hours", {"ar": old + " 🌿"}, "ali")
    assert change["warnings"][0]["code"] == "other_language_unchanged"
    assert change["diff"]["ar"] == [{"op": "same", "text": old}, {"op": "added", "text": "🌿"}]
    # A fact's placeholder kept and the number left to the fact: accepted.
    assert _codes("faq.working_hours", {"ar": old.replace("الرقم الموحد", "اتصل على")})[0] == []


def test_preview_follows_the_channels_limits(content_db):
    shown = workflow.check(
        "faq.contact_channels", {"ar": workflow.current("faq.contact_channels")["ar"]}
    )
    by_channel = {p["channel"]: p for p in shown["preview"]["ar"]}
    assert "19912" in by_channel["web"]["parts"][0]  # facts filled in
    assert by_channel["whatsapp"]["style"] == "reply_buttons"
    assert by_channel["telegram"]["style"] == "inline_keyboard"
    long = checks.preview("faq.x", "ar", "ب" * 5000, ["أ", "ب", "ج", "د"])
    by_channel = {p["channel"]: p for p in long}
    assert len(by_channel["telegram"]["parts"]) == 2 and not by_channel["telegram"]["fits"]
    assert by_channel["whatsapp"]["style"] == "list"


def test_the_limits_are_the_channels_own():
    from channels import whatsapp
    from channels.telegram import channel as telegram

    assert checks.TELEGRAM_MAX_TEXT == telegram.MAX_TEXT
    assert checks.WHATSAPP_MAX_TEXT == whatsapp.MAX_TEXT
    assert checks.WHATSAPP_MAX_BODY == whatsapp.MAX_BODY
    assert (checks.WHATSAPP_MAX_REPLY_BUTTONS, checks.WHATSAPP_MAX_BUTTON_TITLE) == (
        whatsapp.MAX_REPLY_BUTTONS,
        whatsapp.MAX_BUTTON_TITLE,
    )
    assert (checks.WHATSAPP_MAX_LIST_ROWS, checks.WHATSAPP_MAX_ROW_TITLE) == (
        whatsapp.MAX_LIST_ROWS,
        whatsapp.MAX_ROW_TITLE,
    )


def test_rollback_of_an_item_and_of_a_release_with_history(content_db):
    first = _publish("program.contact.unified_number", {"ar": NEW_NUMBER})
    _publish("button.faq_password", {"ar": "نسيت كلمة المرور", "en": "Forgot my password"})
    second = _publish("program.contact.unified_number", {"ar": "19914"})
    assert fact("contact.unified_number") == "19914"

    history = workflow.history("program.contact.unified_number")
    assert [v["release"] for v in history] == [second, first, 0]
    assert {"op": "removed", "text": NEW_NUMBER} in history[0]["diff"]["ar"]
    assert {"op": "added", "text": "19914"} in history[0]["diff"]["ar"]

    with pytest.raises(LookupError):
        workflow.rollback_item("program.contact.unified_number", 999, "huda")
    release = workflow.rollback_item("program.contact.unified_number", first, "huda")["release"]
    live.refresh()
    assert live.applied() == release
    assert fact("contact.unified_number") == NEW_NUMBER
    assert faq_title("password_recovery") == "نسيت كلمة المرور"  # the other item stays

    release = workflow.rollback_release(0, "huda")["release"]  # back to the seed files
    live.refresh()
    assert live.applied() == release
    assert fact("contact.unified_number") == "19912"
    assert faq_title("password_recovery") == "استعادة كلمة المرور"
    assert "19912" in fill("{contact.unified_number}")
    with session_scope() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
    assert actions.count("content.published") == 3
    assert "content.item_rolled_back" in actions and "content.rolled_back" in actions


def test_search_finds_items_in_arabic_and_english(content_db):
    keys = {i["key"] for i in workflow.items("19912")}
    assert {"program.contact.unified_number", "response.utter_iamabot"} <= keys
    assert "faq.password_recovery" in {i["key"] for i in workflow.items("كلمة المرور")}
    assert "faq.password_recovery" in {i["key"] for i in workflow.items("password")}
    found = {i["key"]: i for i in workflow.items("الرقم الموحد")}  # a fact by its name
    assert found["program.contact.unified_number"]["name"] == "الرقم الموحد"
    assert workflow.items("شرط العمر")[0]["key"] in ("faq.age_rule", "faq_title.age_rule")
    kinds = {i["kind"] for i in workflow.items()}
    assert kinds == {
        "program",
        "faq",
        "faq_title",
        "button",
        "message",
        "case",
        "form",
        "response",
        "followup",
    }


def test_a_release_exports_back_to_the_seed_files(content_db, tmp_path):
    _publish("program.contact.unified_number", {"ar": NEW_NUMBER})
    _publish(
        "faq.working_hours",
        {"ar": "ساعات العمل {contact.working_hours}.", "en": "Hours: {contact.working_hours}."},
    )
    written = {p.name for p in export.export(tmp_path)}
    assert written == {"program.yml", "faq.yml"}  # en/faq.yml is also a faq.yml
    assert (tmp_path / "en" / "faq.yml").is_file()
    program = yaml.safe_load((tmp_path / "program.yml").read_text(encoding="utf-8"))
    assert program["contact"]["unified_number"] == NEW_NUMBER
    assert program["contact"]["opens_hour"] == 8  # numbers stay numbers
    faq = yaml.safe_load((tmp_path / "faq.yml").read_text(encoding="utf-8"))
    assert faq["working_hours"]["text"] == "ساعات العمل {contact.working_hours}."
    assert faq["working_hours"]["buttons"] == ["open_ticket", "faq_contact"]
    en = yaml.safe_load((tmp_path / "en" / "faq.yml").read_text(encoding="utf-8"))
    assert en["working_hours"] == "Hours: {contact.working_hours}."


def test_only_the_author_withdraws_a_change_and_only_while_it_waits(content_db):
    change = workflow.propose("program.contact.unified_number", {"ar": NEW_NUMBER}, "ali")
    with pytest.raises(decisions.NotTheAuthor):
        workflow.withdraw(change["id"], "huda")
    assert workflow.withdraw(change["id"], "ali")["state"] == "withdrawn"
    assert workflow.changes() == []  # no longer waits for anyone
    with pytest.raises(ValueError):
        workflow.approve(change["id"], "huda")  # nothing left to decide
    with pytest.raises(LookupError):
        workflow.publish("huda")
    assert fact("contact.unified_number") == "19912"
    decided = workflow.propose("program.contact.unified_number", {"ar": NEW_NUMBER}, "ali")
    workflow.approve(decided["id"], "huda")
    with pytest.raises(ValueError):
        workflow.withdraw(decided["id"], "ali")  # approved: the approver's to undo
    with session_scope() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
    assert actions.count("content.withdrawn") == 1


def test_a_published_follow_up_answer_is_what_a_follow_up_gets(content_db):
    """The answers to "وين؟" and the like are content too: listed, edited, published."""
    from bot.services.followups import picker
    from bot.services.followups.shapes import Ellipsis

    key = "followup.registration_steps.where"
    assert key in [item["key"] for item in workflow.items("تسجيل جديد")]
    before = workflow.current(key)["ar"]
    assert "تسجيل جديد" in before
    edited = before.replace("وكمّل الخطوات", "وكمّل الخطوات كلها")
    assert edited != before
    assert _codes(key, {"ar": edited + " {title}"})[0] == ["unknown_placeholder"]
    english = workflow.current(key)["en"]
    edited_en = english.replace("complete the steps", "complete every step")
    assert edited_en != english
    _publish(key, {"ar": edited, "en": edited_en})
    answer = picker.pick("registration_steps", Ellipsis("where"))
    assert answer is not None and answer.text == edited
    answer = picker.pick("registration_steps", Ellipsis("where"), lang="en")
    assert answer is not None and answer.text == edited_en
