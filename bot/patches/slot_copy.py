"""Slot.__copy__: the shallow copy copy.copy made, without its detour.

Every tracker Rasa builds copies each of the domain's 33 slots with copy.copy, which goes
through __reduce_ex__ and copyreg: policies build a tracker for every prior state, so this
was a few percent of a message. Slot.__copy__ now does the same shallow copy (new
instance, same attribute dict) directly. Slot has no __copy__ of its own, so the hash
covers the whole class: a Slot that gains __slots__, __reduce__ or state outside its
__dict__ must be looked at again.
"""

from __future__ import annotations

from bot.patches.registry import Patch


def _copy_slot(self):
    new = self.__class__.__new__(self.__class__)
    new.__dict__.update(self.__dict__)
    return new


PATCHES = [
    Patch(
        "rasa.shared.core.slots:Slot",
        "__copy__",
        lambda _original: _copy_slot,
        upstream_sha256="0a694d68aef367326f0d4714f862136245b05509efc5b037ab8c60fb3341e47e",
        upstream="rasa.shared.core.slots:Slot",
    ),
]
