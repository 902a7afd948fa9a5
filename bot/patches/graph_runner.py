"""DaskGraphRunner.run: the graph's nodes called one after the other, without dask.

Rasa runs its NLU and policy graphs through dask's synchronous scheduler: three or more
runs per message, each building a dask graph and walking it with dask's bookkeeping
(task states, callbacks, a result cache), which cost about a tenth of a FAQ message's CPU
(bench/profile_turns.py, docs/benchmarks.md "Half the CPU") for graphs of a dozen
nodes that call plain functions in one thread anyway. Here the same nodes get the same
arguments in an order that respects every `needs` (worked out once per schema, which
bot/patches/graph_schema.py keeps per targets), with dask's rules kept: an input replaces
the node of that name, a need that is neither a node nor an input is passed as its name
(the node then says what is missing), the result maps each target to its output, and a
RuntimeError becomes Rasa's GraphRunError.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.exceptions import GraphRunError

from bot.patches.registry import Patch

logger = logging.getLogger("rasa.engine.runner.dask")


def order(schema: Any) -> List[Text]:
    """The schema's node names, each after every node it needs (kept on the schema)."""
    memo = schema.__dict__.get("_cza_order")
    if memo is not None:
        return memo
    ordered: List[Text] = []
    seen = set()

    def visit(name: Text) -> None:
        if name in seen:
            return
        seen.add(name)
        for need in schema.nodes[name].needs.values():
            if need in schema.nodes:
                visit(need)
        ordered.append(name)

    for name in schema.nodes:
        visit(name)
    schema.__dict__["_cza_order"] = ordered
    return ordered


def _sequential(_original):
    def run(
        self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
    ) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        schema = self._graph_schema.minimal_graph_schema(run_targets)
        results: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            results[name] = (name, value)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                f"Running graph with inputs: {inputs}, targets: {targets} "
                f"and {self._execution_context}."
            )
        try:
            for name in order(schema):
                if name in results:
                    continue
                needs = schema.nodes[name].needs.values()
                results[name] = self._instantiated_nodes[name](*(results.get(n, n) for n in needs))
            return dict(results[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    return run


PATCHES = [
    Patch(
        "rasa.engine.runner.dask:DaskGraphRunner",
        "run",
        _sequential,
        upstream_sha256="45f0f52f574f3aa9546a552bf671183e171092c18b66e97f5771a7fa295de37e",
    ),
]
