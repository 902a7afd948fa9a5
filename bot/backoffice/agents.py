"""Desk agents' accounts from the back office: `python -m bot.backoffice agents ...`.

  agents create USERNAME [--name "اسم العرض"] [--gender female|male] [--supervisor]
  agents rename USERNAME "اسم العرض"  the name citizens and colleagues see, in Arabic
  agents gender USERNAME female|male  how citizens are told about the agent
  agents set-password USERNAME        also ends the agent's sessions
  agents unlock USERNAME              forget failed sign-ins (the throttle's delays)
  agents supervisor USERNAME on|off   supervisors may unlock colleagues from the desk
  agents content USERNAME [--editor on|off] [--approver on|off]
                                      a supervisor's content rights in the console
  agents disable USERNAME | agents enable USERNAME
  agents list

Citizens see the display name ("انضمت لك سارة"), so give one in Arabic; without one the
account shows as "موظف خدمة العملاء", never as its Latin username. The gender sets the
form of address in what citizens are told ("انضمت لك سارة … بتكمل معك" for female,
"انضم لك عمر … بيكمل معك" for male, the default).

Passwords are read from the terminal (asked twice), or from the first line of stdin
when it is piped; never from the command line. These commands migrate the database
first, so the first account can be made on a fresh install.
"""

from __future__ import annotations

import getpass
import sys

from bot.services.desk import accounts as desk_auth


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
    name = args.name
    if name is None and sys.stdin.isatty():
        name = input("Display name in Arabic (what citizens see, e.g. سارة): ").strip() or None
    role = "supervisor" if args.supervisor else args.role
    gender = args.gender
    if gender is None and sys.stdin.isatty():
        answer = input("Female or male, for how citizens are told (f/m, default m): ").strip()
        gender = desk_auth.FEMALE if answer.lower().startswith("f") else None
    desk_auth.create_agent(
        args.username, read_password(), name, actor=args.actor, role=role, gender=gender
    )
    shown = desk_auth.agent_names().get(args.username, args.username)
    print(f"{role} {args.username!r} created; citizens see them as {shown}")
    return 0


def cmd_rename(args) -> int:
    _migrate()
    desk_auth.set_display_name(args.username, args.name, actor=args.actor)
    print(f"agent {args.username!r} is now shown as {args.name.strip()}")
    return 0


def cmd_gender(args) -> int:
    _migrate()
    desk_auth.set_gender(args.username, args.gender, actor=args.actor)
    print(f"agent {args.username!r} is addressed as {args.gender}")
    return 0


def cmd_unlock(args) -> int:
    _migrate()
    desk_auth.unlock(args.username, actor=args.actor)
    print(f"failed sign-ins of {args.username!r} forgotten")
    return 0


def cmd_supervisor(args) -> int:
    _migrate()
    desk_auth.set_supervisor(args.username, args.on == "on", actor=args.actor)
    print(f"agent {args.username!r} supervisor: {args.on}")
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


def cmd_content(args) -> int:
    _migrate()
    flag = {"on": True, "off": False, None: None}
    desk_auth.set_content_rights(
        args.username, flag[args.editor], flag[args.approver], actor=args.actor
    )
    changed = [
        f"{name} {value}"
        for name, value in (("editor", args.editor), ("approver", args.approver))
        if value
    ]
    print(f"agent {args.username!r} content rights: {', '.join(changed) or 'unchanged'}")
    return 0


def cmd_list(args) -> int:
    from bot.backoffice.output import table

    _migrate()
    rows = [
        [
            a["username"],
            "active" if a["active"] else "disabled",
            a["role"],
            a["gender"],
            a["display_name"],
            a["last_login_at"].strftime("%Y-%m-%d %H:%M") if a["last_login_at"] else "",
        ]
        for a in desk_auth.list_agents()
    ]
    print(table(rows, ["username", "status", "role", "gender", "name", "last sign-in (UTC)"]))
    return 0


def add_parser(sub) -> None:
    a = sub.add_parser(
        "agents",
        help="desk agents' accounts: create, rename, gender, set-password, unlock, supervisor, "
        "disable, enable, list",
    )
    asub = a.add_subparsers(dest="action", required=True)
    ac = asub.add_parser("create", help="a new agent (the password is asked twice)")
    ac.add_argument("username")
    ac.add_argument("--name", help="display name in Arabic, what citizens and colleagues see")
    ac.add_argument(
        "--role",
        choices=desk_auth.ROLES,
        default="agent",
        help="supervisor: also the console, and may unlock colleagues",
    )
    ac.add_argument("--supervisor", action="store_true", help="the same as --role supervisor")
    ac.add_argument(
        "--gender",
        choices=desk_auth.GENDERS,
        help="how citizens are told about the agent (default male)",
    )
    ac.set_defaults(func=cmd_create)
    ar = asub.add_parser("rename", help="change the display name citizens see (Arabic)")
    ar.add_argument("username")
    ar.add_argument("name")
    ar.set_defaults(func=cmd_rename)
    ag = asub.add_parser("gender", help="how citizens are told about the agent")
    ag.add_argument("username")
    ag.add_argument("gender", choices=desk_auth.GENDERS)
    ag.set_defaults(func=cmd_gender)
    au = asub.add_parser("unlock", help="forget failed sign-ins (the throttle's delays)")
    au.add_argument("username")
    au.set_defaults(func=cmd_unlock)
    asv = asub.add_parser("supervisor", help="grant or revoke supervisor (unlock from the desk)")
    asv.add_argument("username")
    asv.add_argument("on", choices=("on", "off"))
    asv.set_defaults(func=cmd_supervisor)
    acr = asub.add_parser(
        "content", help="a supervisor's content rights: editor proposes, approver publishes"
    )
    acr.add_argument("username")
    acr.add_argument("--editor", choices=("on", "off"))
    acr.add_argument("--approver", choices=("on", "off"))
    acr.set_defaults(func=cmd_content)
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
