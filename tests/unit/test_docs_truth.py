"""What the README and docs/ say about one-time codes matches the forms: a code guards an
objection's status, never the opening of a ticket."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def required_slots(domain_file: str, form: str):
    domain = yaml.safe_load((ROOT / "domain" / domain_file).read_text(encoding="utf-8"))
    return domain["forms"][form]["required_slots"]


def test_only_the_objection_status_asks_for_a_code():
    assert "objection_otp" in required_slots("objections.yml", "objection_form")
    assert not [s for s in required_slots("tickets.yml", "ticket_form") if "otp" in s]


def test_the_readme_puts_the_code_on_objections_not_on_tickets():
    intro = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0]
    bullets = [" ".join(b.split()) for b in re.split(r"\n- ", intro)[1:]]
    with_code = [b for b in bullets if re.search(r"\bcodes?\b", b)]
    assert with_code, "the README no longer says what the code is for"
    for bullet in with_code:
        assert "objection" in bullet and "ticket" not in bullet, bullet


def test_the_load_benchmark_does_not_say_a_ticket_reads_a_code():
    import random

    from bench.load_flows import FLOWS

    ticket = next(f for f in FLOWS if f.name == "ticket")
    assert not [m for m in ticket.make(random.Random(1)) if re.fullmatch(r"\d{6}", m)]
    text = " ".join((ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8").split())
    assert not re.search(r"a ticket \([^)]*\bcode\b[^)]*read back", text)
