"""Putting the process environment back after a test changed it."""

import os
from typing import Dict, Optional


def restore_environment(saved: Dict[str, Optional[str]]) -> None:
    """Each saved variable back to its value, or unset if it was (None)."""
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
