"""The Rasa launcher (channels/server.py) runs the replay loop beside every server, the
single process of `make run` included, and only beside servers."""

from __future__ import annotations

import sys

import pytest
from sanic import Sanic

import channels.server as rasa_server


@pytest.fixture
def launched(monkeypatch):
    """main() with Rasa's CLI and Sanic's serving replaced by recorders."""
    served, listening = [], []
    monkeypatch.setattr(Sanic, "run", lambda self, *a, **k: served.append(listening[:]))
    monkeypatch.setattr(
        Sanic, "register_listener", lambda self, fn, event: listening.append((event, fn))
    )
    monkeypatch.setattr(rasa_server.patches, "apply", lambda: None)
    monkeypatch.setattr(rasa_server, "install_log_masking", lambda: None)
    monkeypatch.setattr(sys, "argv", ["rasa_server"])

    def launch(*argv):
        import rasa.__main__

        def rasa_cli():
            Sanic(f"launched_{len(served)}").run(host="127.0.0.1", port=1)

        monkeypatch.setattr(rasa.__main__, "main", rasa_cli)
        rasa_server.main(list(argv))
        return served[-1]

    return launch


def test_a_server_starts_and_stops_the_replay_loop(launched):
    listeners = launched("run", "--model", "m.tar.gz")
    assert ("after_server_start", rasa_server._start_replay) in listeners
    assert ("before_server_stop", rasa_server._stop_replay) in listeners


def test_other_commands_get_no_replay_loop(launched):
    assert launched("shell", "--model", "m.tar.gz") == []
