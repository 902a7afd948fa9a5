"""GraphSchema.minimal_graph_schema: worked out once per schema and targets, not per call.

The prediction graph runner asks for the part of the graph its targets need on every run,
and Rasa walks the dependencies again each time, recursively and without remembering a
node it has seen (the policies share their inputs): a few percent of a message's CPU
(bench/profile_turns.py). A loaded model's schema never changes, so the answer for the
same targets is the same: kept on the schema, keyed by the targets in order.
"""

from __future__ import annotations

from bot.patches.registry import Patch


def _memoised(original):
    def minimal_graph_schema(self, targets=None):
        key = tuple(targets) if targets else None
        memo = self.__dict__.setdefault("_cza_minimal", {})
        if key not in memo:
            memo[key] = original(self, targets)
        return memo[key]

    return minimal_graph_schema


PATCHES = [
    Patch(
        "rasa.engine.graph:GraphSchema",
        "minimal_graph_schema",
        _memoised,
        upstream_sha256="58dfb30335499fff7640e0d4ea6c0a715e23abc27e641b05636798db7bb4f9fe",
    ),
]
