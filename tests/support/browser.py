"""Headless Debian Chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.ci import unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Where two pieces of an element's text are drawn, in page.evaluate(LEFT_OF, [selector,
# first, second]): the x of `first` minus the x of `second` (negative: first is to the
# left), to check that right-to-left text shows a left-to-right run the right way round.
LEFT_OF = """([selector, first, second]) => {
  const el = document.querySelector(selector);
  const where = (piece) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.textContent.indexOf(piece);
      if (i >= 0) {
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + piece.length);
        return r.getBoundingClientRect().left;
      }
    }
    throw new Error(piece + ' not found');
  };
  return where(first) - where(second);
}"""


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (never `playwright install`).

    Module scope, not session: Playwright's sync API keeps an asyncio loop running in
    this thread while it is open, which would break later tests that call asyncio.run.

    Missing Chromium skips locally but fails in CI, where `make test` installs it."""
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (make system-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
