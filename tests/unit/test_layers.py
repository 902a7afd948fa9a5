"""Imports point one way: channels -> bot/actions -> bot/services -> bot/store.

Every module of bot/ and channels/ is read with `ast` (imports inside functions count too):
a lower layer importing a higher one fails, as does the store importing bot.patches (Rasa
loads the store modules from endpoints.yml by path: importing them must change nothing)
and bot/masking.py (masking, shared by every layer) importing any layer.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]

# module prefix -> what it must not import
FORBIDDEN: Dict[str, Tuple[str, ...]] = {
    "bot": ("channels",),
    "bot.masking": ("bot.store", "bot.services", "bot.actions", "channels", "bot.patches"),
    "bot.store": ("bot.services", "bot.actions", "channels", "bot.patches"),
    "bot.services": ("bot.actions", "channels"),
    "bot.actions": ("channels", "bot.store"),
    "channels.inbound": ("bot", "channels"),
}

# Allowed by design: (importing layer, imported module). The actions catch the store's
# error type (a store that is down gets its own apology); they never touch its tables.
ALLOWED: Set[Tuple[str, str]] = {("bot.actions", "bot.store.errors")}

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
                if (
                    any(_within(name, bad) for bad in forbidden)
                    and not any(m == module and _within(name, ok) for m, ok in known)
                    and not any(
                        _within(module, layer) and _within(name, ok) for layer, ok in ALLOWED
                    )
                ):
                    found.add(f"{path.relative_to(root)}: imports {name}")
    return sorted(found)


def test_lower_layers_do_not_import_higher_ones():
    assert violations(ROOT, KNOWN) == []


def test_the_check_catches_each_kind_of_upward_import(tmp_path):
    files = {
        "bot/store/low.py": "from bot.services.privacy import mask_text\n",
        "bot/store/lazy.py": "def f():\n    import channels.web.channel\n",
        "bot/store/relative.py": "from ..actions import tickets\n",
        "bot/store/patched.py": "from bot import patches\n",
        "bot/services/svc.py": "from bot.actions.tickets import x\nfrom bot.store import session_scope\n",
        "bot/actions/act.py": "from bot.store.tickets import StoreUnavailable\nfrom bot.services import sms\n",
        "bot/masking.py": "from bot.store import conversations\n",
        "channels/web/channel.py": "from bot.store import conversations\nfrom bot.actions import tickets\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = "\n".join(violations(tmp_path))
    assert "bot/store/low.py: imports bot.services.privacy" in found
    assert "bot/store/lazy.py: imports channels.web.channel" in found
    assert "bot/store/relative.py: imports bot.actions" in found
    assert "bot/store/patched.py: imports bot.patches" in found
    assert "bot/services/svc.py: imports bot.actions.tickets" in found
    assert "bot/actions/act.py: imports bot.store.tickets" in found
    assert "bot/masking.py: imports bot.store" in found
    assert (
        "bot.services.sms.gateway" not in found and "session_scope" not in found
    )  # downward is fine
    assert "channels/web.py" not in found  # the top imports anything
    assert violations(tmp_path, {("bot.actions.act", "bot.store.tickets")}) != violations(tmp_path)


# -- one import path per name -------------------------------------------------------------
TOPS = ("bot", "channels", "bench", "tests")


def _defined(tree: ast.Module) -> Set[str]:
    """Names a module defines at its top level (imports are not definitions)."""
    names: Set[str] = set()
    for node in tree.body:
        for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(sub.name)
            elif isinstance(sub, ast.Assign):
                names.update(
                    n.id for t in sub.targets for n in ast.walk(t) if isinstance(n, ast.Name)
                )
            elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name):
                names.add(sub.target.id)
    return names


def _facade_names(tree: ast.Module) -> Set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return set()


def path_violations(root: Path) -> List[str]:
    trees: Dict[str, Tuple[Path, ast.Module]] = {}
    for top in TOPS:
        for path in sorted((root / top).rglob("*.py")):
            trees[module_name(path, root)] = (path, ast.parse(path.read_text(encoding="utf-8")))
    defined = {m: _defined(t) for m, (_, t) in trees.items()}
    facades = {m: _facade_names(t) for m, (p, t) in trees.items() if p.name == "__init__.py"}
    facades = {m: names for m, names in facades.items() if names}
    found = set()
    for module, (path, tree) in trees.items():
        where = path.relative_to(root)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or node.module not in trees:
                continue
            source = node.module
            inner_of = [f for f in facades if source.startswith(f + ".")]
            # Tests may test a facade's inner modules; code goes through the facade.
            if inner_of and not _within(module, inner_of[0]) and not _within(module, "tests"):
                found.add(f"{where}: imports {source}, inside the facade {inner_of[0]}")
            for alias in node.names:
                name = alias.name
                if f"{source}.{name}" in trees or name in defined[source]:
                    continue
                if name in facades.get(source, ()):
                    continue
                found.add(f"{where}: imports {name} from {source}, which does not define it")
    return sorted(found)


def test_every_name_has_one_import_path():
    assert path_violations(ROOT) == []


def test_no_module_keeps_a_re_export_shim():
    """`# noqa: F401` on an import is how a re-export hides from the linter."""
    shims = [
        f"{path.relative_to(ROOT)}:{n}"
        for top in ("bot", "channels", "bench")
        for path in (ROOT / top).rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "noqa: F401" in line and "import" in line
    ]
    assert shims == []


def test_the_path_check_catches_a_re_export_and_a_reach_into_a_facade(tmp_path):
    files = {
        "bot/__init__.py": "",
        "bot/low.py": "def helper():\n    pass\n",
        "bot/shim.py": "from bot.low import helper\n",
        "bot/user.py": "from bot.shim import helper\nfrom bot.low import helper as fine\n",
        "bot/pkg/__init__.py": "from bot.pkg.inner import thing\n__all__ = ['thing']\n",
        "bot/pkg/inner.py": "thing = 1\n",
        "bot/pkg/sibling.py": "from bot.pkg.inner import thing\n",
        "bot/outside.py": "from bot.pkg import thing\nfrom bot.pkg.inner import thing as again\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = path_violations(tmp_path)
    assert found == [
        "bot/outside.py: imports bot.pkg.inner, inside the facade bot.pkg",
        "bot/user.py: imports helper from bot.shim, which does not define it",
    ]
