"""Files of the local databases readable by their owner only.

`var/app.db` holds the desk's password hashes and the transcripts, `var/tracker.db`
everything citizens typed. SQLite creates a database file with the process umask's mode
(0644 usually: readable by every account on the machine), and its -wal and -shm files
with the database's mode. So the file is created here first, 0600, before SQLite opens it,
in a folder made 0700; the VAR_DIR folder and database files that an older version made
readable by others are tightened. A folder of someone else's choosing (a TRACKER_DB in
/srv, a test's /tmp) is created private when missing and otherwise left as it is.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional, Union

from sqlalchemy.engine import URL, make_url

from bot import settings

logger = logging.getLogger(__name__)

PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700


def private_folder(path: Union[str, Path]) -> Path:
    """Create `path` (and missing parents) 0700; VAR_DIR itself is made 0700 if it is not."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    try:
        if path.resolve() == Path(settings.get().var_dir).resolve():
            _tighten(path, PRIVATE_FOLDER)
    except OSError as e:
        logger.warning("could not restrict %s: %s", path.name, type(e).__name__)
    return path


def sqlite_file(url: Union[str, URL]) -> Optional[Path]:
    """The file of a SQLite URL; None for another database, memory, or a file: URI."""
    try:
        parsed = make_url(str(url)) if not isinstance(url, URL) else url
    except Exception:
        return None
    database = parsed.database or ""
    if not parsed.drivername.startswith("sqlite") or database in ("", ":memory:"):
        return None
    if database.startswith("file:") or parsed.query.get("uri"):
        return None
    return Path(database)


def private_sqlite(url: Union[str, URL]) -> None:
    """Make a SQLite URL's database file exist, 0600, in a private folder (see above)."""
    path = sqlite_file(url)
    if path is None:
        return
    try:
        private_folder(path.parent)
        # SQLite takes an empty file for an empty database.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            _tighten(name, PRIVATE_FILE)
    except OSError as e:
        logger.warning("could not restrict the database file: %s", type(e).__name__)


def _tighten(path: Path, mode: int) -> None:
    """Drop group and other bits of a file or folder of ours (someone else's: left alone)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_mode & 0o077 and status.st_uid == os.geteuid():
        os.chmod(path, mode)
