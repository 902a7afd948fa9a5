"""The Rasa project itself: data validates, and the conversation tests pass."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.model
def test_rasa_data_validate():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "bot/data",
            "--config",
            "config.yml",
            # Without it Rasa 3.6 reports story conflicts and repeated examples and still
            # exits 0.
            "--fail-on-warnings",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


# Dialogue tests: each user turn gives its intent, so what is under test is the policy
# and the actions (forms, handoff) behind it. Which FAQ answer the text gets is the
# NLU's job, measured on the held-out set (make bench) and over REST in tests/e2e.
STORY_FILES = [
    "tests/stories/test_core.yml",
    "tests/stories/test_eligibility.yml",
    "tests/stories/test_tickets.yml",
    "tests/stories/test_objections.yml",
    "tests/stories/test_notifications.yml",
    "tests/stories/test_followups.yml",
]


def _story_names(path: Path) -> set:
    """The stories' names, without the " (file)" Rasa adds to them in its reports."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {re.sub(r" \([^()]*\.yml\)$", "", s["story"]) for s in data.get("stories") or []}


@pytest.fixture(scope="module")
def story_run(rasa_stack, trained_model, tmp_path_factory):
    """One `rasa test core` over every story file (Rasa loads once), with the real action
    server behind the forms; the stories that passed and the report of those that did not."""
    out = tmp_path_factory.mktemp("rasa-test")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "channels.server",
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            "tests/stories",
            "--endpoints",
            "endpoints.yml",
            "--successes",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=rasa_stack.env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    passed = out / "successful_test_stories.yml"
    failed = out / "failed_test_stories.yml"
    return (
        _story_names(passed) if passed.exists() else set(),
        failed.read_text(encoding="utf-8") if failed.exists() else "",
    )


@pytest.mark.parametrize("stories", STORY_FILES)
def test_conversation_stories(story_run, stories):
    """Every story of tests/stories/*.yml was run and predicted right."""
    passed, failures = story_run
    names = _story_names(ROOT / stories)
    assert names, f"{stories} has no stories"
    assert names <= passed, f"not passed: {sorted(names - passed)}\n{failures[-6000:]}"


def test_every_story_file_is_run():
    listed = {Path(f).name for f in STORY_FILES}
    assert {p.name for p in (ROOT / "tests" / "stories").glob("*.yml")} == listed
