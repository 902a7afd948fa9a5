"""One Rasa worker of the production profile, serving a listening socket that
supervisord holds and passes down as fd 0 (deploy/supervisord.conf.in, [fcgi-program:rasa]):

    python -m channels.worker 0 run --model … --port …   (the rest: `rasa run` arguments)

Sanic's own multi-worker mode forks its workers from one parent and never replaces one
that dies; here every worker is a process of its own on the same socket, so
supervisord can start a new one in seconds while the others keep accepting (connections
wait in the socket's queue, not refused). Rasa is started exactly as channels.server
starts it; only Sanic's `run` is told to serve this socket with one worker.

Each worker also runs the replay loop (channels/replay.py, started by channels.server):
at start and every INBOUND_SCAN_SECONDS it takes over the Telegram/WhatsApp messages a
dead worker had accepted and not answered.
"""

from __future__ import annotations

import socket
import sys
from typing import List, Optional


def serve_socket(fd: int) -> None:
    """Make Sanic.run (called by rasa.core.run.serve_application) use the inherited socket."""
    from sanic import Sanic

    sock = socket.socket(fileno=fd)
    original = Sanic.run

    def run(self, host=None, port=None, **kwargs):
        kwargs.pop(
            "backlog", None
        )  # supervisord sized the queue (socket_backlog) when it bound the socket
        kwargs["workers"] = 1
        return original(self, sock=sock, **kwargs)

    Sanic.run = run


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or not argv[0].isdigit():
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    serve_socket(int(argv[0]))
    from channels.server import main as rasa_main

    rasa_main(argv[1:])


if __name__ == "__main__":
    main()
