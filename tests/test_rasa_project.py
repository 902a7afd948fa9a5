"""The Rasa project itself: data validates, and the conversation tests pass."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_rasa_data_validate():
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain", "--data", "bot/data",
         "--config", "config.yml"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.slow
@pytest.mark.e2e
def test_conversation_stories(rasa_stack, trained_model, tmp_path):
    """tests/stories/*.yml with the real action server behind the forms."""
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(trained_model),
         "--stories", "tests/stories", "--endpoints", "endpoints.yml",
         "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, env=rasa_stack.env(), capture_output=True, text=True)
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details[-6000:] or (result.stdout[-3000:] + result.stderr[-3000:])
