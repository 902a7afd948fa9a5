"""Published content from the back office: `python -m bot.backoffice content ...`.

content releases            the releases, newest first (who published, which items)
content export [--to DIR] [--release N]
                            write a release back as the files of bot/content/ (default
                            var/content-export/), with the new questions the served model
                            learnt (their phrasings in data/new_questions/nlu.yml, for
                            bot/data/), to review and commit to version control
"""

from __future__ import annotations

from pathlib import Path

from bot import settings
from bot.backoffice.output import table
from bot.services.content import export, workflow


def cmd_releases(args) -> int:
    rows = [
        [r["id"], r["at"][:16] if r["at"] else "", r["by"], r["kind"], ", ".join(r["items"])[:80]]
        for r in workflow.releases()
    ]
    print(table(rows, ["release", "at (UTC)", "by", "kind", "items"]))
    return 0


def cmd_export(args) -> int:
    target = Path(args.to or Path(settings.get().var_dir) / "content-export")
    for path in export.export(target, args.release):
        print(path)
    return 0


def add_parser(sub) -> None:
    c = sub.add_parser("content", help="published content: releases, export to YAML")
    csub = c.add_subparsers(dest="action", required=True)
    cr = csub.add_parser("releases", help="the published releases, newest first")
    cr.set_defaults(func=cmd_releases)
    ce = csub.add_parser("export", help="write a release back as bot/content/ files")
    ce.add_argument("--to", help="folder to write to (default var/content-export/)")
    ce.add_argument("--release", type=int, help="release id (default the newest)")
    ce.set_defaults(func=cmd_export)
