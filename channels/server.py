"""The Rasa server of this project: Rasa's own command line, started with the project's
changes to Rasa (bot/patches) and log masking (bot/masking.py) in place.

    python -m channels.server run --model models/… --endpoints endpoints.yml …
    python -m channels.server shell …        (any `rasa` command, same arguments)

bot/tools/serve.py (`make run`, the production profile, the tests' servers) starts Rasa
this way; `python -m rasa …` would run without the patches.

A server (`run`) also runs the replay loop (channels/replay.py): at start and every
INBOUND_SCAN_SECONDS it answers the Telegram/WhatsApp messages that were accepted and
not answered (and REST messages sent with an id), by a worker that died or by this process before it was restarted. The
single process of `make run` needs it as much as the production workers: without it a
message taken in just before a crash would wait in `inbound_pending` for ever.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List, Optional

from bot import patches
from bot.masking import install_log_masking


def with_replay() -> None:
    """Make the Sanic app that `rasa run` starts run the replay loop and the model
    watcher (channels/model_watch.py) beside it, and answer GET /ready (channels/ready.py)."""
    from sanic import Sanic

    original = Sanic.run

    def run(self, *args, **kwargs):
        from channels import model_watch
        from channels.ready import add_route

        add_route(self)  # GET /ready for the load balancer's health checks
        self.register_listener(_start_replay, "after_server_start")
        self.register_listener(_stop_replay, "before_server_stop")
        # The newest model release of the console's retrain, swapped in without a restart.
        self.register_listener(model_watch.start, "after_server_start")
        self.register_listener(model_watch.stop, "before_server_stop")
        return original(self, *args, **kwargs)

    Sanic.run = run


def replay_outputs() -> Dict[str, Callable[..., Any]]:
    """The channels whose accepted messages are replayed, each with its output."""
    # Imported when called, not at the top: main() patches Rasa before any channel loads it.
    from channels.rest import RestOutput
    from channels.telegram.channel import TelegramOutput
    from channels.whatsapp import WhatsAppOutput

    return {
        # Its client is gone with the request; the answer goes to the transcript, from
        # which the client's next try under the same id gets it.
        "rest": lambda conv, recipient, reply_to=None: RestOutput(conv),
        "telegram": lambda conv, recipient, reply_to=None: TelegramOutput(
            conv, recipient, reply_to
        ),
        "whatsapp": lambda conv, recipient, reply_to=None: WhatsAppOutput(conv, recipient),
    }


async def _start_replay(app, _loop) -> None:
    from channels import replay
    from channels.pipeline import get_pipeline

    app.ctx.cza_replay = replay.start(app, get_pipeline(), replay_outputs())


async def _stop_replay(app, _loop) -> None:
    task = getattr(app.ctx, "cza_replay", None)
    if task is not None:
        task.cancel()


def main(argv: Optional[List[str]] = None) -> None:
    patches.apply()
    install_log_masking()
    from rasa.__main__ import main as rasa_main

    # Rasa's CLI reads sys.argv itself (argparse, and its model-path shortcut).
    sys.argv = [sys.argv[0], *(sys.argv[1:] if argv is None else argv)]
    if sys.argv[1:2] == ["run"]:
        with_replay()
    rasa_main()


if __name__ == "__main__":
    main()
