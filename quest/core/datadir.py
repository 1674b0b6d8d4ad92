"""The data directory holds emails, profiles, the Redis AOF and generated secrets: owner only.

Directories are 0700 and files 0600 whatever the process umask, set when they are created
and tightened when an older release left them readable by others.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

log = logging.getLogger("talentquest")


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; tighten it if it is ours and open to others."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            directory.mkdir(mode=PRIVATE_DIR)
        _tighten(directory, PRIVATE_DIR)
    if not missing:
        _tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> None:
    """Make an existing file 0600 (a no-op when it is missing)."""
    with contextlib.suppress(FileNotFoundError):
        _tighten(path, PRIVATE_FILE)


def create_private_file(path: Path) -> None:
    """Create `path` empty as 0600 unless it exists; tighten it if it does."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        private_file(path)
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)  # the umask may have taken bits off; never adds any
    finally:
        os.close(fd)


def private_tree(path: Path) -> None:
    """Tighten a directory of ours and every file in it (the Redis AOF directory)."""
    if not path.is_dir():
        return
    _tighten(path, PRIVATE_DIR)
    for child in path.iterdir():
        if child.is_file():
            private_file(child)


def _tighten(path: Path, mode: int) -> None:
    """chmod `path` to `mode` if it grants more; another user's or a sticky one is only logged."""
    st = path.stat()
    if stat.S_IMODE(st.st_mode) & ~mode == 0:
        return
    # Not a directory shared on purpose (/tmp is sticky), nor another user's.
    if st.st_uid != os.geteuid() or st.st_mode & stat.S_ISVTX:
        log.warning(
            "%s is mode %o, not %o: left as it is (another user's, or shared)",
            path,
            stat.S_IMODE(st.st_mode),
            mode,
        )
        return
    os.chmod(path, mode)
