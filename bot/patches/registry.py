"""What a patch is, and the record of Rasa's originals that makes every patch undoable.

A `Patch` replaces one attribute of one Rasa class. It carries the sha256 of the source
of the upstream code it was written against (`inspect.getsource`), so a Rasa upgrade that
changes that code fails tests/unit/test_rasa_patches.py instead of silently running a
replacement that no longer matches what it replaces.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple

MISSING = object()  # the class had no attribute of that name of its own


@dataclass(frozen=True)
class Patch:
    owner: str  # "module:Class", e.g. "rasa.core.actions.action:RemoteAction", or "module"
    name: str  # the attribute replaced, e.g. "_validate_action_result"
    new: Callable[[Any], Any]  # the original (or MISSING) -> the attribute to put in its place
    upstream_sha256: str  # sha256 of the upstream source below, in the pinned Rasa
    # What the hash covers when the class has no such attribute of its own (the replacement
    # then relies on the rest of the class): "module:Qualname". Default: the original.
    upstream: str = ""

    @property
    def target(self) -> str:
        return f"{self.owner}.{self.name}"


def resolve(path: str) -> Any:
    """ "module:Qual.name" -> the object."""
    module, _, qualname = path.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split(".") if qualname else ():
        obj = getattr(obj, part)
    return obj


def source_sha256(obj: Any) -> str:
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()


# (owner path, attribute name) -> (the class, the attribute as it held it before the patch)
_originals: Dict[Tuple[str, str], Tuple[Any, Any]] = {}


def original(patch: Patch) -> Any:
    """Rasa's own attribute, whether or not the patch is in place (MISSING if none)."""
    key = (patch.owner, patch.name)
    if key in _originals:
        return _originals[key][1]
    return vars(resolve(patch.owner)).get(patch.name, MISSING)


def upstream_sha256(patch: Patch) -> str:
    """The hash of the upstream code as installed now (compare with patch.upstream_sha256)."""
    return source_sha256(resolve(patch.upstream) if patch.upstream else original(patch))


def stale(patches: List[Patch]) -> List[str]:
    """The patches whose upstream source is no longer the one they were written against."""
    return [p.target for p in patches if upstream_sha256(p) != p.upstream_sha256]


def install(patch: Patch) -> None:
    key = (patch.owner, patch.name)
    if key in _originals:
        return
    owner = resolve(patch.owner)
    before = vars(owner).get(patch.name, MISSING)
    setattr(owner, patch.name, patch.new(before))
    _originals[key] = (owner, before)


def restore_all() -> None:
    """Put every original back, last patched first."""
    for (_path, name), (owner, before) in reversed(list(_originals.items())):
        if before is MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, before)
    _originals.clear()


def installed() -> List[str]:
    return [f"{owner}.{name}" for owner, name in _originals]
