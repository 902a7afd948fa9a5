"""Accessibility audit of a Playwright page with axe-core (WCAG 2.1 A and AA).

    from tests.browser.axe import serious_violations, describe
    problems = serious_violations(page)                 # the whole page
    problems = serious_violations(page, include=".cza-panel")
    assert not problems, describe(problems)

axe-core is vendored (tests/browser/vendor/axe.min.js, see the README there), so the
audit runs offline and every run uses the same rules. It checks what is in the DOM at
the moment of the call: show the state worth auditing (open dialog, messages,
buttons) first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = ("serious", "critical")


def inject(page) -> None:
    """Load axe into the page once (a reload or navigation needs it again)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))


def violations(
    page,
    include: Optional[str] = None,
    tags: Sequence[str] = WCAG21_AA,
    disable: Sequence[str] = (),
) -> List[Dict[str, Any]]:
    """Every axe violation of the page (or of the elements matching `include`)."""
    inject(page)
    options: Dict[str, Any] = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
    }
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    context = {"include": [include]} if include else None
    return page.evaluate(
        "async ([context, options]) => (await axe.run(context || document, options)).violations",
        [context, options],
    )


def serious_violations(page, include: Optional[str] = None, **kwargs: Any) -> List[Dict[str, Any]]:
    """Violations of impact serious or critical: the ones a page must not ship with."""
    return [v for v in violations(page, include, **kwargs) if v.get("impact") in BLOCKING]


def describe(found: List[Dict[str, Any]]) -> str:
    """A readable assertion message: rule, impact, and each failing element with axe's reason."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v.get("nodes", [])[:10]:
            lines.append(f"  {' '.join(node.get('target', []))}: {node.get('failureSummary', '')}")
    return "\n".join(lines)
