"""Event.resolve_by_type: the same classes from a table instead of a walk of the tree.

Rasa walked the whole tree of Event subclasses (with an inspect.isabstract check on each)
for every event it deserialised: every event of the conversation on each tracker load,
every event an action returns. Classes are now looked up in a table, rebuilt when a name
is missing (a subclass imported later).
"""

from __future__ import annotations

from typing import Dict, Optional

from bot.patches.registry import Patch

_event_classes: Dict[str, type] = {}


def _event_class_table() -> Dict[str, type]:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: Dict[str, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # first match wins, as in Rasa's loop
    return table


def _resolve_by_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
    global _event_classes
    cls = _event_classes.get(type_name)
    if cls is None:
        _event_classes = _event_class_table()
        cls = _event_classes.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


PATCHES = [
    Patch(
        "rasa.shared.core.events:Event",
        "resolve_by_type",
        lambda _original: staticmethod(_resolve_by_type),
        upstream_sha256="b5cf570fa7f286c7059ec73d8880528d03a78b28cf4e80285a46079c0fa65968",
    ),
]
