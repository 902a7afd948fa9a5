"""python -m bot.backoffice COMMAND ...

  tickets list [--status S] [--limit N]
  tickets set-status NUMBER STATUS [--note TEXT]      STATUS: open in_progress resolved closed
                    (a new status, like an objection's, is also sent to the citizen)
  objections list [--status S] [--limit N]
  objections create --national-id ID --mobile 05.. --cycle 2025-01 [--amount 850]
                    [--submitted YYYY-MM-DD] [--status S] [--decided YYYY-MM-DD]
                    [--note TEXT] [--number N]      STATUS: under_review accepted rejected
  objections update NUMBER [--status S] [--decided D] [--note TEXT] [--cycle C]
                    [--amount A] [--submitted D] [--mobile M]
  outbox [--limit N] [--show-codes]   the SMS outbox, newest first (codes hidden by default)
  audit [--limit N]           the audit log, newest first
  demo                        load demo objections and tickets (idempotent)
  flush-pending               write tickets spooled while the database was down
  agents create USERNAME [--name NAME]        a desk agent (password asked twice, or stdin)
  agents set-password|disable|enable USERNAME
  agents list                 desk agents (these commands migrate the database first)
  erase, purge                personal data: erase a citizen, apply retention (bot/backoffice/privacy.py)
  content releases|export     published content (bot/backoffice/content.py)
  notifications list|resend|opt-outs|stop|resume
                              what citizens were told of their cases (bot/backoffice/notifications.py)

Global: --actor NAME (recorded in the audit log; default backoffice:<login>).
The database is DATABASE_URL (default var/app.db); run `python -m bot.store.migrate` first.
Exit status: 0 ok, 1 bad input or unknown number, 2 usage error or database unavailable.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import List, Optional

from sqlalchemy import select

from bot.backoffice import agents, content, notifications, privacy
from bot.backoffice.output import short as _short
from bot.backoffice.output import table as _table
from bot.masking import install_log_masking, mask_id, mask_mobile, mask_text
from bot.services import objections
from bot.services.sms.gateway import loggable
from bot.services.tickets import records as tickets
from bot.services.tickets.labels import TICKET_STATUSES
from bot.store import session_scope
from bot.store.audit import AuditEntry
from bot.store.errors import is_unavailable
from bot.store.objections import OBJECTION_STATUSES
from bot.store.sms import SmsMessage


def _default_actor() -> str:
    try:
        return f"backoffice:{getpass.getuser()}"
    except Exception:
        return "backoffice"


def cmd_tickets_list(args) -> int:
    rows = tickets.list_tickets(args.status, args.limit)
    print(
        _table(
            [
                [
                    t.number,
                    t.created_at.strftime("%Y-%m-%d %H:%M"),
                    t.category,
                    t.status,
                    mask_id(t.national_id),
                    mask_mobile(t.mobile),
                    _short(mask_text(t.description)),
                ]
                for t in rows
            ],
            ["number", "created (UTC)", "category", "status", "id", "mobile", "description"],
        )
    )
    return 0


def cmd_tickets_status(args) -> int:
    view = tickets.set_status(args.number, args.status, args.note, actor=args.actor)
    print(f"ticket {view.number}: {view.status}")
    return 0


def cmd_objections_list(args) -> int:
    rows = objections.list_objections(args.status, args.limit)
    print(
        _table(
            [
                [
                    o.number,
                    o.status,
                    o.payment_cycle,
                    objections._sar(o.amount_halalas),
                    o.submitted_on,
                    o.decided_on,
                    mask_id(o.national_id),
                    mask_mobile(o.mobile),
                    _short(o.decision_note, 30),
                ]
                for o in rows
            ],
            ["number", "status", "cycle", "amount", "submitted", "decided", "id", "mobile", "note"],
        )
    )
    return 0


def cmd_objections_create(args) -> int:
    view = objections.create_objection(
        national_id=args.national_id,
        mobile=args.mobile,
        payment_cycle=args.cycle,
        amount=args.amount,
        submitted_on=args.submitted,
        status=args.status,
        decided_on=args.decided,
        decision_note=args.note,
        number=args.number,
        actor=args.actor,
    )
    print(f"objection {view.number}: {view.status}")
    return 0


def cmd_objections_update(args) -> int:
    changes = {
        k: v
        for k, v in dict(
            status=args.status,
            decided_on=args.decided,
            decision_note=args.note,
            payment_cycle=args.cycle,
            amount=args.amount,
            submitted_on=args.submitted,
            mobile=args.mobile,
        ).items()
        if v is not None
    }
    if not changes:
        print("nothing to change", file=sys.stderr)
        return 1
    view = objections.update_objection(args.number, actor=args.actor, **changes)
    print(
        f"objection {view.number}: {view.status}"
        + (f" (decided {view.decided_on})" if view.decided_on else "")
    )
    return 0


def cmd_outbox(args) -> int:
    with session_scope() as session:
        rows = (
            session.execute(select(SmsMessage).order_by(SmsMessage.id.desc()).limit(args.limit))
            .scalars()
            .all()
        )

    def body(m):
        return m.body if args.show_codes else loggable(m.body, m.kind)

    print(
        _table(
            [
                [
                    m.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    mask_mobile(m.to),
                    m.kind,
                    m.gateway,
                    m.status,
                    _short(body(m), 60),
                ]
                for m in rows
            ],
            ["at (UTC)", "to", "kind", "gateway", "status", "text"],
        )
    )
    return 0


def cmd_audit(args) -> int:
    with session_scope() as session:
        rows = (
            session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(args.limit))
            .scalars()
            .all()
        )
    print(
        _table(
            [
                [
                    a.at.strftime("%Y-%m-%d %H:%M:%S") if a.at else "",
                    a.actor,
                    a.action,
                    a.subject_type,
                    a.subject_id,
                    _short(a.detail, 60),
                ]
                for a in rows
            ],
            ["at", "actor", "action", "type", "subject", "detail"],
        )
    )
    return 0


def cmd_demo(args) -> int:
    from bot.backoffice import demo

    created = demo.load(actor=args.actor)
    print(json.dumps(created, ensure_ascii=False))
    print("demo objections (number / national ID / mobile):")
    for spec in demo.demo_objections():
        print(f"  {spec['number']}  {spec['national_id']}  {spec['mobile']}  {spec['status']}")
    return 0


def cmd_flush(args) -> int:
    written = tickets.flush_pending()
    print(f"written {len(written)} ticket(s); still pending {tickets.pending_count()}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bot.backoffice", description="Citizen Account assistant back office"
    )
    p.add_argument("--actor", default=_default_actor(), help="name recorded in the audit log")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("tickets", help="list tickets or change a ticket's status")
    tsub = t.add_subparsers(dest="action", required=True)
    tl = tsub.add_parser("list")
    tl.add_argument("--status", choices=list(TICKET_STATUSES))
    tl.add_argument("--limit", type=int, default=50)
    tl.set_defaults(func=cmd_tickets_list)
    ts = tsub.add_parser("set-status")
    ts.add_argument("number")
    ts.add_argument("status", choices=list(TICKET_STATUSES))
    ts.add_argument("--note", help="note the citizen sees with the status")
    ts.set_defaults(func=cmd_tickets_status)

    o = sub.add_parser("objections", help="create, update or list payment objections")
    osub = o.add_subparsers(dest="action", required=True)
    ol = osub.add_parser("list")
    ol.add_argument("--status", choices=list(OBJECTION_STATUSES))
    ol.add_argument("--limit", type=int, default=50)
    ol.set_defaults(func=cmd_objections_list)
    oc = osub.add_parser("create")
    oc.add_argument("--national-id", required=True)
    oc.add_argument("--mobile", required=True, help="registered mobile: one-time codes go here")
    oc.add_argument("--cycle", required=True, help="payment cycle, e.g. 2025-01")
    oc.add_argument("--amount")
    oc.add_argument("--submitted", help="YYYY-MM-DD (default today)")
    oc.add_argument("--status", choices=list(OBJECTION_STATUSES), default="under_review")
    oc.add_argument("--decided", help="YYYY-MM-DD (default today when accepted/rejected)")
    oc.add_argument("--note", help="decision note shown to the citizen")
    oc.add_argument("--number", help="objection number (default: generated)")
    oc.set_defaults(func=cmd_objections_create)
    ou = osub.add_parser("update")
    ou.add_argument("number")
    ou.add_argument("--status", choices=list(OBJECTION_STATUSES))
    ou.add_argument("--decided")
    ou.add_argument("--note")
    ou.add_argument("--cycle")
    ou.add_argument("--amount")
    ou.add_argument("--submitted")
    ou.add_argument("--mobile")
    ou.set_defaults(func=cmd_objections_update)

    ob = sub.add_parser("outbox", help="SMS outbox, newest first")
    ob.add_argument("--limit", type=int, default=20)
    ob.add_argument(
        "--show-codes", action="store_true", help="show one-time codes (local development only)"
    )
    ob.set_defaults(func=cmd_outbox)
    au = sub.add_parser("audit", help="audit log, newest first")
    au.add_argument("--limit", type=int, default=30)
    au.set_defaults(func=cmd_audit)
    d = sub.add_parser("demo", help="load demo data")
    d.set_defaults(func=cmd_demo)
    f = sub.add_parser("flush-pending", help="write tickets spooled while the database was down")
    f.set_defaults(func=cmd_flush)
    privacy.register(sub)
    agents.add_parser(sub)
    content.add_parser(sub)
    notifications.add_parser(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), as a status for callers
        return exc.code
    try:
        return args.func(args)
    except (ValueError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if is_unavailable(exc) or type(exc).__name__ == "StoreUnavailable":
            print(
                f"error: database unavailable ({type(exc).__name__}). "
                "Is DATABASE_URL right, and has `python -m bot.store.migrate` run?",
                file=sys.stderr,
            )
            return 2
        raise


if __name__ == "__main__":
    install_log_masking()
    sys.exit(main())
