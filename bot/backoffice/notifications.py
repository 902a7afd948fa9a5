"""Notifications from the back office: `python -m bot.backoffice notifications ...`.

  notifications list [--state S] [--number N] [--limit N]   the outbox, newest first;
                  failed and unconfirmed ones need a look (unconfirmed: the sender died
                  after handing it to Telegram or WhatsApp, so it may or may not have arrived)
  notifications resend ID          send a failed or unconfirmed one again (audited)
  notifications opt-outs           who stopped notifications (masked)
  notifications stop|resume (--mobile 05.. | --conversation ID)
                                   record or withdraw a citizen's request (audited)

A status change itself is `tickets set-status` or `objections update --status`: the
notification is written with it.
"""

from __future__ import annotations

from bot.backoffice.output import short, table
from bot.masking import mask_mobile
from bot.services.notifications import optout, outbox
from bot.services.privacy.subject import masked_conversation
from bot.store.notifications import STATES


def cmd_list(args) -> int:
    rows = outbox.list_notifications(args.state, args.limit, args.number)
    print(
        table(
            [
                [
                    n.id,
                    n.created_at.strftime("%Y-%m-%d %H:%M"),
                    f"{n.subject_type} {n.subject_number}",
                    n.status,
                    n.state,
                    n.channels.replace(",", "→"),
                    n.sent_channel or n.channels.split(",")[n.channel_index],
                    n.attempts,
                    masked_conversation(n.conversation_id) if n.conversation_id else "",
                    mask_mobile(n.mobile) if n.mobile else "",
                    short(n.last_error, 30),
                ]
                for n in rows
            ],
            [
                "id",
                "created (UTC)",
                "case",
                "status",
                "state",
                "plan",
                "channel",
                "tries",
                "conversation",
                "mobile",
                "last error",
            ],
        )
    )
    totals = outbox.counts()
    print("  ".join(f"{state}: {totals.get(state, 0)}" for state in STATES))
    return 0


def cmd_resend(args) -> int:
    row = outbox.resend(args.id, actor=args.actor)
    print(f"notification {row.id}: pending again (first channel {row.channels.split(',')[0]})")
    return 0


def cmd_optouts(args) -> int:
    rows = optout.list_optouts(args.limit)
    print(
        table(
            [[r["target"], r["source"], r["since"].strftime("%Y-%m-%d %H:%M")] for r in rows],
            ["who", "recorded by", "since (UTC)"],
        )
    )
    return 0


def cmd_stop(args) -> int:
    new = optout.stop(args.conversation, args.mobile, source=args.actor)
    print("notifications stopped" if new else "notifications were already stopped")
    return 0


def cmd_resume(args) -> int:
    removed = optout.resume(args.conversation, args.mobile, source=args.actor)
    print("notifications resumed" if removed else "notifications were not stopped")
    return 0


def add_parser(sub) -> None:
    n = sub.add_parser("notifications", help="notification outbox and opt-outs")
    nsub = n.add_subparsers(dest="action", required=True)
    nl = nsub.add_parser("list", help="the outbox, newest first")
    nl.add_argument("--state", choices=list(STATES))
    nl.add_argument("--number", help="a ticket or objection number")
    nl.add_argument("--limit", type=int, default=50)
    nl.set_defaults(func=cmd_list)
    nr = nsub.add_parser("resend", help="send a failed or unconfirmed notification again")
    nr.add_argument("id", type=int)
    nr.set_defaults(func=cmd_resend)
    no = nsub.add_parser("opt-outs", help="citizens who stopped notifications")
    no.add_argument("--limit", type=int, default=100)
    no.set_defaults(func=cmd_optouts)
    for name, func in (("stop", cmd_stop), ("resume", cmd_resume)):
        p = nsub.add_parser(name, help=f"{name} notifications for a citizen")
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--mobile")
        who.add_argument("--conversation")
        p.set_defaults(func=func)
