"""docs/settings.md, written from bot/settings.py: every environment variable the assistant
reads, with its default and its meaning. `python -m bot.tools.settings_doc` rewrites the
page; tests/unit/test_settings_reads.py fails when a setting has no row here, when a row
names a variable that is not a setting, or when the page is out of date.

    python -m bot.tools.settings_doc          # rewrite docs/settings.md
    python -m bot.tools.settings_doc --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Tuple

from bot import settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "settings.md"
# Read by Rasa itself (endpoints.yml, credentials.yml) or by the test tools, not by us.
OUTSIDE = {"ACTION_ENDPOINT_URL", "RASA_API_TOKEN", "CHROMIUM_PATH"}

# Each row of docs/settings.md: (variables, default as people read it, meaning). The
# variables are this module's fields in capitals (or a family such as TELEGRAM_*);
# `python -m bot.tools.settings_doc` writes the page and a test keeps it in step.
DOCS: Tuple[Tuple[Tuple[str, ...], str, str], ...] = (
    (("RASA_PORT",), "`5005`", "Rasa server port"),
    (
        ("MODEL_POLL_SECONDS",),
        "`2`",
        "how often each Rasa worker looks for a model release of the console's retrain "
        "([deployment.md](deployment.md))",
    ),
    (("ACTIONS_PORT",), "`5055`", "action server port"),
    (
        ("ACTIONS_HOST",),
        "`127.0.0.1`",
        "action server interface; a private one only when Rasa runs elsewhere ([security.md](security.md))",
    ),
    (
        ("ACTION_SERVER_TOKEN", "ACTION_SERVER_TOKEN_PREVIOUS"),
        "random per `make run` (generated once in `var/secrets` by `make run-prod`), unset",
        "shared secret Rasa sends to the action server; required beyond loopback. The previous one is accepted too while rotating",
    ),
    (("VAR_DIR",), "`./var`", "where the SQLite files live"),
    (
        ("SQLITE_SYNCHRONOUS",),
        "`normal`",
        "SQLite files (WAL): `normal` syncs the log at checkpoints, so a process killed mid-turn loses nothing but a power cut may lose the last commits; `full` syncs every commit (a fifth of the server's busy time per message before, [benchmarks.md](benchmarks.md))",
    ),
    (
        ("DATABASE_URL",),
        "`sqlite:///$VAR_DIR/app.db`",
        "our own tables (tickets, objections, handoffs, transcripts); `postgresql://…` in production",
    ),
    (("TRACKER_DB",), "`$VAR_DIR/tracker.db`", "Rasa's SQLite tracker store"),
    (
        ("TRACKER_STORE_URL",),
        "from `DATABASE_URL`",
        "a tracker store elsewhere than our tables (SQLAlchemy URL)",
    ),
    (("MODELS_DIR",), "`./models`", "where trained models are written and found"),
    (
        ("ACTION_ENDPOINT_URL",),
        "`http://127.0.0.1:$ACTIONS_PORT/webhook`",
        "where Rasa finds the action server",
    ),
    (
        ("RASA_API_TOKEN",),
        "unset",
        "if set, Rasa's HTTP API is enabled behind this token; otherwise it stays off",
    ),
    (
        ("RASA_PATCHES",),
        "on",
        "`off` runs Rasa's own code unchanged (`bot/patches/`: slower, and a tracker-store outage becomes Rasa's silent blank conversation); the patches also stay off, with a warning, on any Rasa other than 3.6.21",
    ),
    (
        ("REDIS_URL",),
        "unset",
        "Redis for the lock store, de-duplication, rate limits and widget fan-out (needed with more than one worker)",
    ),
    (("SANIC_WORKERS",), "`1` (`2` in `make run-prod`)", "Rasa server processes"),
    (
        ("SQL_POOL_SIZE", "SQL_MAX_OVERFLOW"),
        "`4`, `1` in production",
        "tracker-store connections per worker",
    ),
    (("DB_POOL_SIZE", "DB_MAX_OVERFLOW"), "`6`, `4`", "our tables' connections per process"),
    (
        ("SQL_POOL_TIMEOUT", "SQL_CONNECT_TIMEOUT", "STORE_CONNECT_TIMEOUT"),
        "`10`, `5`, `60` s",
        "waiting for a pooled connection, for PostgreSQL to answer, for the tracker store at start-up",
    ),
    (
        ("REDIS_SOCKET_TIMEOUT", "LOCK_WAIT_SECONDS", "LOCK_KEY_PREFIX"),
        "`2` s, `0.1` s, `cza`",
        "Redis lock store: time-out, poll interval while a conversation is locked, key prefix",
    ),
    (
        ("MAX_INBOUND_CHARS",),
        "`1000`",
        'longer messages get a polite Arabic "please shorten" (kept in the transcript cut to this length; Rasa is not called)',
    ),
    (
        ("RATE_LIMIT_MESSAGES", "RATE_LIMIT_WINDOW_SECONDS"),
        "`20` / `60`",
        "per-user message rate limit",
    ),
    (
        ("REST_RATE_LIMIT_PER_ADDRESS", "REST_RATE_LIMIT_WINDOW_SECONDS"),
        "`120` / `60`",
        "REST messages per client address while REST has no token",
    ),
    (
        ("WEBCHAT_SESSIONS_PER_ADDRESS", "WEBCHAT_SESSIONS_WINDOW_SECONDS"),
        "`20` / `600`",
        "new widget sessions per client address",
    ),
    (
        ("TRUSTED_PROXIES",),
        "none",
        "IPs/CIDRs of reverse proxies whose `X-Forwarded-For` is believed",
    ),
    (
        ("ADDRESS_LIMIT_EXEMPT",),
        "`127.0.0.0/8,::1`",
        "addresses spared the per-address limits (empty: none)",
    ),
    (
        ("WEBCHAT_ALLOWED_ORIGINS", "REST_ALLOWED_ORIGINS"),
        "`*`, none",
        "sites allowed cross-origin on the widget and on REST (no credentials)",
    ),
    (
        ("DEDUP_TTL_SECONDS", "DEDUP_MAX_ENTRIES"),
        "7 days, `100000`",
        "how long webhook message ids are remembered (and how many, without Redis)",
    ),
    (
        ("RASA_REPLY_TIMEOUT_SECONDS",),
        "`60`",
        "after this the citizen gets an apology instead of silence",
    ),
    (
        ("INBOUND_LEASE_SECONDS", "INBOUND_SCAN_SECONDS", "INBOUND_MAX_ATTEMPTS"),
        "`30`, `10`, `3`",
        "a Telegram/WhatsApp message accepted by a worker that died is taken over by another worker once its lease (renewed every scan while the turn runs) ran out; after the attempts, the citizen gets an apology",
    ),
    (("LOG_ID_SALT",), "random", "salt for the hashed user ids in logs (no personal data in logs)"),
    (
        ("OTP_SECRET",),
        "a local-only value",
        "**set in production**: key for the one-time SMS codes",
    ),
    (("OTP_COOLDOWN_MINUTES",), "`15`", "lock-out after too many wrong codes"),
    (
        (
            "SMS_GATEWAY",
            "SMS_GATEWAY_URL",
            "SMS_GATEWAY_TOKEN",
            "SMS_SENDER",
            "SMS_GATEWAY_TIMEOUT",
        ),
        "outbox, 5 s",
        "`http` posts to your SMS provider; the default only records in the outbox",
    ),
    (
        ("SMS_BUDGET_MOBILE_HOUR", "SMS_BUDGET_MOBILE_DAY"),
        "`3`, `10`",
        "SMS to one mobile (codes included); past a budget the ticket still opens, only the SMS is skipped",
    ),
    (
        ("SMS_BUDGET_NATIONAL_ID_DAY", "SMS_BUDGET_GLOBAL_MINUTE"),
        "`5`, `60`",
        "ticket SMS per national ID a day; all SMS a minute (0 turns a budget off)",
    ),
    (
        ("SMS_BUDGET_STAFF_MOBILE_DAY",),
        "`6`",
        "status notifications set off by staff, per mobile a day: their own budget; past it a notification waits until the budget allows and goes out once",
    ),
    (
        ("RETENTION_TRANSCRIPT_DAYS",),
        "`180`",
        "transcripts, Rasa tracker events, ended handoffs, idle conversations, the console's turn rows and review labels are deleted after this, its ratings anonymised ([privacy.md](privacy.md)); `0` keeps them",
    ),
    (
        ("RETENTION_OTP_DAYS", "RETENTION_SMS_DAYS"),
        "`30`, `90`",
        "one-time code records, SMS outbox: deleted after this",
    ),
    (
        ("RETENTION_NOTIFICATION_DAYS",),
        "`90`",
        "notification history (delivered or given up) is deleted after this",
    ),
    (
        ("RETENTION_TICKET_DAYS", "RETENTION_OBJECTION_DAYS"),
        "`730`, `730`",
        "tickets and objections untouched this long are anonymised",
    ),
    (("RETENTION_AUDIT_DAYS",), "`1095`", "audit log entries are deleted after this"),
    (
        ("RETENTION_PURGE_EVERY_HOURS",),
        "`24`",
        "how often `make run` / `make run-prod` apply the periods; `0` = never (cron runs `python -m bot.backoffice purge --if-due`)",
    ),
    (
        ("NOTIFY_SENDER",),
        "`on`",
        "`off`: `make run` starts no notification sender (another host runs `python -m channels.notify.sender`)",
    ),
    (
        ("NOTIFY_MAX_ATTEMPTS", "NOTIFY_BACKOFF_SECONDS", "NOTIFY_BACKOFF_MAX_SECONDS"),
        "`4`, `5`, `600`",
        'tries per channel before the next one; the wait doubles from the first value up to the second ([deployment.md](deployment.md), "Notifications")',
    ),
    (
        ("NOTIFY_LEASE_SECONDS", "NOTIFY_POLL_SECONDS"),
        "`60`, `1`",
        "a claim older than this belongs to a sender that died; how often an idle sender looks for work",
    ),
    (
        (
            "NOTIFY_WHATSAPP_TEMPLATE",
            "NOTIFY_WHATSAPP_TEMPLATE_LANGUAGE",
            "NOTIFY_WHATSAPP_TEMPLATE_PARAMS",
        ),
        "unset, `ar`, `number,status`",
        "approved WhatsApp template for notifications outside the 24-hour window, its language and body parameters (`number`, `status`, `kind`); unset: SMS instead",
    ),
    (
        ("NOTIFY_PUSH_URL", "NOTIFY_PUSH_TOKEN"),
        "the local Rasa server, random per run (generated into `var/secrets` by `make run-prod`)",
        "where the sender asks for live widget pushes, and the route's shared secret (unset: route off)",
    ),
    (
        ("HANDOFF_HOURS", "HANDOFF_MINUTES_PER_CASE"),
        "`8-20`, `4`",
        "agents' hours (Riyadh) and the wait estimate",
    ),
    (
        ("HANDOFF_ACK_MINUTES",),
        "`5`",
        "a queued citizen's message is acknowledged if they were quiet this long",
    ),
    (
        ("DESK_SESSION_HOURS", "DESK_IDLE_MINUTES", "DESK_COOKIE_SECURE", "DESK_ORIGIN"),
        "`8`, `30`, off (`1` in `make run-prod`), any",
        "desk sign-in sessions; the cookie is secure in the production profile; set the origin behind a proxy that rewrites Host",
    ),
    (
        ("METRICS_TOKEN", "METRICS_INTERNAL"),
        "unset, off",
        "`GET /metrics` answers only with `Authorization: Bearer <token>`, or (`1`) to loopback and private addresses; otherwise 404",
    ),
    (
        ("PROMETHEUS_MULTIPROC_DIR",),
        "unset (`var/metrics` in `make run-prod`)",
        "directory where every worker writes its metrics so one scrape adds them up",
    ),
    (
        ("REVIEW_CONFIDENCE_MARGIN",),
        "`0.1`",
        "the review queue lists messages whose top intent scored under the fallback threshold plus this",
    ),
    (
        ("DESK_POLL_SECONDS",),
        "`3`",
        "how often the desk page polls while its live stream is down (it refreshes every 30 s while live)",
    ),
    (
        ("TELEGRAM_*", "WHATSAPP_*", "WEBCHAT_*", "REST_CHANNEL_TOKEN"),
        "unset",
        'channels, see "Channels"',
    ),
    (
        ("PG_BIN", "PG_DATA_DIR", "LOCAL_PG_PORT", "REDIS_SERVER", "LOCAL_REDIS_PORT"),
        "newest Debian PostgreSQL, `var/pg`, `5433`, `redis-server`, `6380`",
        "the local PostgreSQL and Redis that `make run-prod` and the tests start",
    ),
    (("CHROMIUM_PATH",), "`/usr/bin/chromium`", "browser tests"),
)


def _covers(pattern: str, name: str) -> bool:
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def undocumented() -> List[str]:
    """Settings no row names (a family such as TELEGRAM_* covers its channel)."""
    patterns = [p for names, _, _ in DOCS for p in names]
    return [n for n in settings.ENV_NAMES if not any(_covers(p, n) for p in patterns)]


def unknown() -> List[str]:
    """Variables a row names that are not settings (nor read outside our code)."""
    names = {n for row, _, _ in DOCS for n in row if not n.endswith("*")}
    return sorted(names - set(settings.ENV_NAMES) - OUTSIDE)


def render() -> str:
    lines = [
        "# Settings",
        "",
        "<!-- Written by `python -m bot.tools.settings_doc` from bot/settings.py and",
        "     bot/tools/settings_doc.py: edit those, not this page. -->",
        "",
        "Every setting is an environment variable with a safe local default; `make run` needs",
        "none of them. Production sets the secrets and the outside services' addresses",
        "([deployment.md](deployment.md), [security.md](security.md)).",
        "",
        "| variable | default | meaning |",
        "| --- | --- | --- |",
    ]
    for names, default, meaning in DOCS:
        variables = ", ".join(f"`{n}`" for n in names)
        lines.append(f"| {variables} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def main(argv: Tuple[str, ...] = tuple(sys.argv[1:])) -> int:
    text = render()
    if "--check" in argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print("docs/settings.md is out of date: python -m bot.tools.settings_doc")
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
