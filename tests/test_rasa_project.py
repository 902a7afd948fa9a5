"""The Rasa project itself: data validates, and the conversation tests pass."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
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
@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize(
    "stories",
    [
        "tests/stories/test_core.yml",
        "tests/stories/test_eligibility.yml",
        "tests/stories/test_tickets.yml",
        "tests/stories/test_objections.yml",
        "tests/stories/test_notifications.yml",
    ],
)
def test_conversation_stories(rasa_stack, trained_model, tmp_path, stories):
    """tests/stories/*.yml with the real action server behind the forms."""
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
            stories,
            "--endpoints",
            "endpoints.yml",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=rasa_stack.env(),
        capture_output=True,
        text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details[-6000:] or (
        result.stdout[-3000:] + result.stderr[-3000:]
    )


def test_every_story_file_is_run():
    listed = {
        "test_core.yml",
        "test_eligibility.yml",
        "test_tickets.yml",
        "test_objections.yml",
        "test_notifications.yml",
    }
    assert {p.name for p in (ROOT / "tests" / "stories").glob("*.yml")} == listed
