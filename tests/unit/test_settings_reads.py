"""One module reads the environment: bot/settings.py. Everything else asks it.

A new os.environ.get() elsewhere would bring back what the settings module replaced: a
default written twice, a typo read as a string, a variable missing from README's table.
Copying the whole environment for a child process (dict(os.environ)) is fine; reading
one variable is not.
"""

import re
from pathlib import Path

from bot import settings

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
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", table, re.M))
    # Read by Rasa itself (endpoints.yml, credentials.yml) or by the test tools, not by us.
    outside = {"ACTION_ENDPOINT_URL", "RASA_API_TOKEN", "CHROMIUM_PATH"}
    unknown = documented - set(settings.ENV_NAMES) - outside
    assert not unknown, f"documented but not in bot/settings.py: {sorted(unknown)}"


def test_every_setting_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    families = set(re.findall(r"`([A-Z]+_)\*`", table))  # `TELEGRAM_*` covers its channel
    missing = [
        name
        for name in settings.ENV_NAMES
        if f"`{name}`" not in table and not any(name.startswith(f) for f in families)
    ]
    assert not missing, f"add these to README's Configuration table: {missing}"
