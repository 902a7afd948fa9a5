"""Desk agents' accounts from the back office: `python -m bot.backoffice agents ...`.

  agents create USERNAME [--name "DISPLAY NAME"]
  agents set-password USERNAME        also ends the agent's sessions
  agents disable USERNAME | agents enable USERNAME
  agents list

Passwords are read from the terminal (asked twice), or from the first line of stdin
when it is piped; never from the command line. These commands migrate the database
first, so the first account can be made on a fresh install.
"""

from __future__ import annotations

import getpass
import sys

from bot.services import desk_auth


def read_password(confirm: bool = True) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Repeat: ") != first:
            raise ValueError("passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _migrate() -> None:
    from bot.store.migrate import upgrade

    upgrade()


def cmd_create(args) -> int:
    _migrate()
    desk_auth.create_agent(
        args.username, read_password(), args.name, actor=args.actor, role=args.role
    )
    print(f"{args.role} {args.username!r} created")
    return 0


def cmd_set_password(args) -> int:
    _migrate()
    desk_auth.set_password(args.username, read_password(), actor=args.actor)
    print(f"password of {args.username!r} changed; their sessions were ended")
    return 0


def cmd_set_active(args) -> int:
    _migrate()
    desk_auth.set_active(args.username, args.active, actor=args.actor)
    print(f"agent {args.username!r} {'enabled' if args.active else 'disabled'}")
    return 0


def cmd_list(args) -> int:
    from bot.backoffice.output import table

    _migrate()
    rows = [
        [
            a["username"],
            "active" if a["active"] else "disabled",
            a["role"],
            a["display_name"],
            a["last_login_at"].strftime("%Y-%m-%d %H:%M") if a["last_login_at"] else "",
        ]
        for a in desk_auth.list_agents()
    ]
    print(table(rows, ["username", "status", "role", "name", "last sign-in (UTC)"]))
    return 0


def add_parser(sub) -> None:
    a = sub.add_parser(
        "agents", help="desk agents' accounts: create, set-password, disable, enable, list"
    )
    asub = a.add_subparsers(dest="action", required=True)
    ac = asub.add_parser("create", help="a new agent (the password is asked twice)")
    ac.add_argument("username")
    ac.add_argument("--name", help="display name the citizen and colleagues see")
    ac.add_argument(
        "--role", choices=desk_auth.ROLES, default="agent", help="supervisor: also the console"
    )
    ac.set_defaults(func=cmd_create)
    ap = asub.add_parser("set-password", help="a new password; ends the agent's sessions")
    ap.add_argument("username")
    ap.set_defaults(func=cmd_set_password)
    ad = asub.add_parser("disable", help="no more sign-ins; ends the agent's sessions")
    ad.add_argument("username")
    ad.set_defaults(func=cmd_set_active, active=False)
    ae = asub.add_parser("enable", help="allow sign-ins again")
    ae.add_argument("username")
    ae.set_defaults(func=cmd_set_active, active=True)
    al = asub.add_parser("list", help="every agent, active or not, and their last sign-in")
    al.set_defaults(func=cmd_list)
