"""Back-office commands of the personal data rules (docs/privacy.md):

erase (--national-id ID | --mobile 05.. | --conversation ID) [--dry-run]
      erase one citizen's conversations, tracker events, one-time codes and SMS history;
      their tickets and objections are anonymised. Prints what was touched.
purge [--if-due] [--dry-run] [--batch-size N]
      apply the retention periods (RETENTION_*_DAYS) now; for cron. With --if-due only
      when the last purge is older than RETENTION_PURGE_EVERY_HOURS.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Dict, List, Sequence

from bot.services.privacy import batches, databases, erasure, retention
from bot.services.privacy import schedule as retention_schedule
from bot.services.privacy.periods import Periods, purge_every

LABELS = {"mentions": "mentions in other rows"}


def _table(rows: List[Sequence], headers: Sequence[str]) -> str:
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _rows(rows: Dict[str, int], actions: Dict[str, str], default: str) -> str:
    return _table(
        [[LABELS.get(name, name), actions.get(name, default), n] for name, n in rows.items()],
        ["table", "action", "rows"],
    )


def cmd_erase(args) -> int:
    report = erasure.erase(
        national_id=args.national_id,
        mobile=args.mobile,
        conversation_id=args.conversation,
        actor=args.actor,
        dry_run=args.dry_run,
    )
    label = {"national_id": "national ID", "mobile": "mobile", "conversation": "conversation"}
    head = "would erase" if report.dry_run else "erased"
    print(f"{head} {label[report.kind]} {report.subject}: {report.conversations} conversation(s)")
    print(
        _rows(
            report.rows,
            erasure.ACTIONS,
            "deleted",
        )
    )
    if report.audit_id is not None:
        print(f"audit entry {report.audit_id}")
    else:
        print("dry run: nothing changed")
    return 0


def cmd_purge(args) -> int:
    periods = Periods.from_env()
    print("periods (days, 0 = kept): " + ", ".join(f"{k} {v}" for k, v in asdict(periods).items()))
    app, tracker = databases.open_engines()
    try:
        if args.dry_run:
            counts = retention.purge(app, tracker, periods, batch=args.batch_size, dry_run=True)
        else:
            every = purge_every() if args.if_due else timedelta(0)
            counts = retention_schedule.run_if_due(
                app, tracker, every, periods, batch=args.batch_size, actor=args.actor
            )
    finally:
        if tracker is not None and tracker is not app:
            tracker.dispose()
    if counts is None:
        print(
            "not run: another purge is running"
            + (" or the last one is recent" if args.if_due else "")
        )
        return 0
    print(_rows(counts, retention.ACTIONS, "deleted"))
    if args.dry_run:
        print("dry run: nothing changed")
    return 0


def register(sub) -> None:
    """Add `erase` and `purge` to the back office's sub-commands."""
    e = sub.add_parser("erase", help="erase one citizen's personal data (PDPL request)")
    who = e.add_mutually_exclusive_group(required=True)
    who.add_argument("--national-id", help="national ID or residence number")
    who.add_argument("--mobile", help="Saudi mobile, any format")
    who.add_argument("--conversation", help="conversation id, e.g. telegram:123456")
    e.add_argument(
        "--dry-run", action="store_true", help="report what would be erased, change nothing"
    )
    e.set_defaults(func=cmd_erase)
    p = sub.add_parser("purge", help="apply the retention periods now (for cron)")
    p.add_argument(
        "--if-due",
        action="store_true",
        help="only if the last purge is older than RETENTION_PURGE_EVERY_HOURS",
    )
    p.add_argument("--dry-run", action="store_true", help="count what would go, change nothing")
    p.add_argument(
        "--batch-size",
        type=int,
        default=batches.BATCH,
        help=f"rows per transaction (default {batches.BATCH})",
    )
    p.set_defaults(func=cmd_purge)
