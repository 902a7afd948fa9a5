"""Imports point one way: channels -> bot/actions -> bot/services -> bot/store.

Every module of bot/ and channels/ is read with `ast` (imports inside functions count too):
a lower layer importing a higher one fails, as does the store importing bot.patches (Rasa
loads the store modules from endpoints.yml by path: importing them must change nothing)
and bot/privacy.py (masking, shared by every layer) importing any layer.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]

# module prefix -> what it must not import
FORBIDDEN: Dict[str, Tuple[str, ...]] = {
    "bot.privacy": ("bot.store", "bot.services", "bot.actions", "channels", "bot.patches"),
    "bot.store": ("bot.services", "bot.actions", "channels", "bot.patches"),
    "bot.services": ("bot.actions", "channels"),
    "bot.actions": ("channels", "bot.store"),
}

# Known exceptions still being moved behind services: (importing module, imported module).
# Keep it short; remove an entry when its import goes.
KNOWN: Set[Tuple[str, str]] = set()


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every name an import statement brings in, as a dotted path (relative imports
    resolved): `from a.b import c` gives a.b.c, whether c is a module or a name in a.b."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)] + ([base] if base else []))
            for alias in node.names:
                yield base if alias.name == "*" else f"{base}.{alias.name}"


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path, known: Set[Tuple[str, str]] = frozenset()) -> List[str]:
    found = set()
    for top in ("bot", "channels"):
        for path in sorted((root / top).rglob("*.py")):
            module = module_name(path, root)
            forbidden = [
                bad for layer, rule in FORBIDDEN.items() if _within(module, layer) for bad in rule
            ]
            if not forbidden:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for name in imported(tree, module, path.name == "__init__.py"):
                if any(_within(name, bad) for bad in forbidden) and not any(
                    m == module and _within(name, allowed) for m, allowed in known
                ):
                    found.add(f"{path.relative_to(root)}: imports {name}")
    return sorted(found)


def test_lower_layers_do_not_import_higher_ones():
    assert violations(ROOT, KNOWN) == []


def test_the_check_catches_each_kind_of_upward_import(tmp_path):
    files = {
        "bot/store/low.py": "from bot.services.privacy import mask_text\n",
        "bot/store/lazy.py": "def f():\n    import channels.web\n",
        "bot/store/relative.py": "from ..actions import tickets\n",
        "bot/store/patched.py": "from bot import patches\n",
        "bot/services/svc.py": "from bot.actions.tickets import x\nfrom bot.store import session_scope\n",
        "bot/actions/act.py": "from bot.store.tickets import StoreUnavailable\nfrom bot.services import sms\n",
        "bot/privacy.py": "from bot.store import conversations\n",
        "channels/web.py": "from bot.store import conversations\nfrom bot.actions import tickets\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = "\n".join(violations(tmp_path))
    assert "bot/store/low.py: imports bot.services.privacy" in found
    assert "bot/store/lazy.py: imports channels.web" in found
    assert "bot/store/relative.py: imports bot.actions" in found
    assert "bot/store/patched.py: imports bot.patches" in found
    assert "bot/services/svc.py: imports bot.actions.tickets" in found
    assert "bot/actions/act.py: imports bot.store.tickets" in found
    assert "bot/privacy.py: imports bot.store" in found
    assert "bot.services.sms" not in found and "session_scope" not in found  # downward is fine
    assert "channels/" not in found  # the top imports anything
    assert violations(tmp_path, {("bot.actions.act", "bot.store.tickets")}) != violations(tmp_path)
