"""The migration history is one line, and databases migrated while it was still branched
(each feature off the base revision) upgrade to it without running anything again."""

import re
import shutil

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from bot.store.migrate import MIGRATIONS, alembic_config

# The history as it was before the revisions were chained: three feature branches.
BRANCHED = {"0002_tickets": "tickets", "0006_handoff": "handoff", "ch01_conversations": None}
# Where the branches now end on the line: what the branched history had applied.
LAST_BRANCHED = "0006_handoff"


def _schema(url: str) -> list:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE name != 'alembic_version' ORDER BY name"
            )
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def _versions(url: str) -> set:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        found = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    return found


def _branched_history(tmp_path):
    """A copy of the migrations with every feature revision re-pointed at the base, as
    they were written before the history was made linear."""
    old = tmp_path / "branched"
    shutil.copytree(MIGRATIONS, old, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (old / "versions").glob("*.py"):
        if path.stem not in BRANCHED and path.stem != "0001_base":
            path.unlink()  # written after the history was made linear
    for revision, label in BRANCHED.items():
        path = old / "versions" / f"{revision}.py"
        source = path.read_text(encoding="utf-8")
        labels = (label,) if label else None
        source = re.sub(
            r"^down_revision = .*$", 'down_revision = "0001_base"', source, flags=re.MULTILINE
        )
        source = re.sub(
            r"^branch_labels = .*$", f"branch_labels = {labels!r}", source, flags=re.MULTILINE
        )
        path.write_text(source, encoding="utf-8")
    return old


def test_the_history_has_exactly_one_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, heads


def test_every_revision_lies_on_the_line_from_base_to_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    line = [r.revision for r in script.iterate_revisions("head", "base")]
    assert sorted(line) == sorted(r.revision for r in script.walk_revisions())
    assert line[-1] == "0001_base"


def test_a_fresh_database_upgrades_downgrades_and_upgrades_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    tables = {name for kind, name, _ in _schema(url) if kind == "table"}
    assert {
        "audit_log",
        "conversations",
        "transcript_messages",
        "tickets",
        "objections",
        "otp_challenges",
        "sms_outbox",
        "handoffs",
        "desk_agents",
        "desk_sessions",
    } <= tables
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert _versions(url) == {head}
    full = _schema(url)
    command.downgrade(cfg, "base")
    assert {name for kind, name, _ in _schema(url) if kind == "table"} == set()
    command.upgrade(cfg, "head")
    assert _schema(url) == full


def test_a_database_migrated_on_the_branched_history_upgrades_as_a_no_op(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old_cfg = alembic_config(url)
    old_cfg.set_main_option("script_location", str(_branched_history(tmp_path)))
    assert len(ScriptDirectory.from_config(old_cfg).get_heads()) == 3
    command.upgrade(old_cfg, "heads")
    assert _versions(url) == set(BRANCHED)
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, subject_type, subject_id) "
                "VALUES ('2026-01-01 00:00:00', 'test', 'kept', 'db', '1')"
            )
        )
    engine.dispose()
    before = _schema(url)

    cfg = alembic_config(url)
    command.upgrade(cfg, LAST_BRANCHED)
    assert _schema(url) == before
    assert _versions(url) == {LAST_BRANCHED}
    command.upgrade(cfg, "heads")
    assert _versions(url) == {ScriptDirectory.from_config(cfg).get_current_head()}
    # Later revisions only add: every table and index is still there (a table's own SQL
    # changes when a revision adds a column to it).
    assert {(kind, name) for kind, name, _ in before} <= {
        (kind, name) for kind, name, _ in _schema(url)
    }
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT action FROM audit_log")).scalars().all()
    engine.dispose()
    assert kept == ["kept"]
