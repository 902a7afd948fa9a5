"""Log masking as the servers install it (bot.masking.install_log_masking), for one test,
then logging put back as it was."""

from __future__ import annotations

import logging

import pytest

from bot.masking import ACCESS_LOGGER, install_log_masking


@pytest.fixture
def log_masking():
    root, access = logging.getLogger(), logging.getLogger(ACCESS_LOGGER)
    factory = logging.getLogRecordFactory()
    filters = {h: list(h.filters) for h in [*root.handlers, access]}
    install_log_masking()
    yield
    logging.setLogRecordFactory(factory)
    for handler, kept in filters.items():
        handler.filters[:] = kept
