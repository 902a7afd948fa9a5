"""The one error the store raises when a database, the tracker store or the lock store
cannot be used right now, whatever the caller (actions, channels, Rasa itself).

Its text names the store and the driver's error class, never SQL parameters or
conversation content. Rasa's own tracker and lock stores raise the subclasses in
bot/store/tracker_store.py and bot/store/lock_store.py, which are also Rasa's exception
types, so Rasa treats them as it treats its own.
"""

from __future__ import annotations


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or used right now (down, locked, not migrated)."""


def is_unavailable(exc: BaseException) -> bool:
    """True for database errors that mean "try later", not a bug or a constraint."""
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    return isinstance(exc, SQLAlchemyError) and not isinstance(exc, IntegrityError)
