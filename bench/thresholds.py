"""Threshold sweeps on the held-out file (`python -m bench.run threshold`): the
FallbackClassifier's intent threshold and FaqShapes' answer threshold, each read off
one pass of the current model over tests/data/nlu_heldout.yml."""

from __future__ import annotations

import asyncio
from typing import Dict, List, Tuple

from bot.services.training.scoring import base_answer, heldout_examples


def _heldout_parses(model: str = "") -> List[Tuple[str, List[Dict], Dict]]:
    """(gold, intent ranking without nlu_fallback, the FAQ selector's top answer) for
    every held-out message, from one pass of the current model."""
    from rasa.core.agent import Agent

    from bot.tools.model import ensure

    agent = Agent.load(model or str(ensure()))
    rows = []

    async def run() -> None:
        for text, gold in heldout_examples():
            parse = await agent.parse_message(text)
            ranking = [r for r in parse.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
            selector = ((parse.get("response_selector") or {}).get("faq") or {}).get(
                "response"
            ) or {}
            rows.append((gold, ranking, selector))

    asyncio.run(run())
    return rows


def threshold_sweep(
    thresholds=(0.3, 0.35, 0.4, 0.45, 0.5), margin: float = 0.05, rows=None
) -> List[Dict]:
    """Full-label accuracy on the held-out file if the FallbackClassifier used each
    threshold (the ranking without nlu_fallback)."""
    rows = [
        (gold, ranking, selector.get("intent_response_key"))
        for gold, ranking, selector in (rows or _heldout_parses())
    ]
    results = []
    for threshold in thresholds:
        right = caught = 0
        for gold, ranking, faq_key in rows:
            top = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 0.0}
            second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
            if top["confidence"] < threshold or top["confidence"] - second < margin:
                label = "nlu_fallback"
            else:
                label = base_answer(faq_key) if top["name"] == "faq" and faq_key else top["name"]
            right += label == gold
            caught += gold == "out_of_scope" and label in ("out_of_scope", "nlu_fallback")
        results.append(
            {
                "threshold": threshold,
                "accuracy": round(right / len(rows), 4),
                "out_of_scope_caught": caught,
                "out_of_scope": sum(g == "out_of_scope" for g, _, _ in rows),
            }
        )
    return results


def answer_threshold_sweep(
    thresholds=(0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4), rows=None
) -> List[Dict]:
    """The FAQ answer threshold (bot.nlu.faq_shapes, answer_threshold) from the curve of
    held-out messages the intent classifier takes for an FAQ: at each threshold, how
    many wrong answers it turns into a "did you mean" and how many right ones."""
    faqs = [
        (gold, base_answer(selector["intent_response_key"]), selector.get("confidence", 0.0))
        for gold, ranking, selector in (rows or _heldout_parses())
        if ranking and ranking[0]["name"] == "faq" and selector.get("intent_response_key")
    ]
    results = []
    for threshold in thresholds:
        kept = [(g, p) for g, p, c in faqs if c >= threshold]
        results.append(
            {
                "threshold": threshold,
                "answered": len(kept),
                "accuracy_answered": round(sum(g == p for g, p in kept) / max(1, len(kept)), 4),
                "wrong_offered": sum(g != p for g, p, c in faqs if c < threshold),
                "right_offered": sum(g == p for g, p, c in faqs if c < threshold),
            }
        )
    return results
