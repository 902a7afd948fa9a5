"""The Rasa server of this project: Rasa's own command line, started with the project's
changes to Rasa (bot/patches) and log masking (bot/privacy.py) in place.

    python -m bot.rasa_server run --model models/… --endpoints endpoints.yml …
    python -m bot.rasa_server shell …        (any `rasa` command, same arguments)

bot/tools/serve.py (`make run`, the production profile, the tests' servers) starts Rasa
this way; `python -m rasa …` would run without the patches.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from bot import patches
from bot.privacy import install_log_masking


def main(argv: Optional[List[str]] = None) -> None:
    patches.apply()
    install_log_masking()
    from rasa.__main__ import main as rasa_main

    # Rasa's CLI reads sys.argv itself (argparse, and its model-path shortcut).
    sys.argv = [sys.argv[0], *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
