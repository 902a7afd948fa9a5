"""One module reads the environment: bot/settings.py. Everything else asks it.

A new os.environ.get() elsewhere would bring back what the settings module replaced: a
default written twice, a typo read as a string, a variable missing from docs/settings.md.
Copying the whole environment for a child process (dict(os.environ)) is fine; reading
one variable is not.
"""

import re
from pathlib import Path

from bot.tools import settings_doc

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=[^=])")


def _python_files():
    for top in ("bot", "channels", "bench"):
        yield from (ROOT / top).rglob("*.py")


def test_only_the_settings_module_reads_single_variables():
    offenders = []
    for path in _python_files():
        name = path.relative_to(ROOT).as_posix()
        if name == "bot/settings.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if READ.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "read these through bot.settings:\n" + "\n".join(offenders)


def test_every_documented_variable_is_a_setting():
    assert settings_doc.unknown() == [], "documented but not in bot/settings.py"


def test_every_setting_is_documented():
    missing = settings_doc.undocumented()
    assert not missing, f"add these to bot/tools/settings_doc.py: {missing}"


def test_the_settings_page_is_up_to_date():
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert page == settings_doc.render(), "run: python -m bot.tools.settings_doc"
