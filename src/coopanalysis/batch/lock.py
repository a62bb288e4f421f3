"""The output folder's lock: one batch run at a time writes a folder.

`folder_lock(out)` takes an exclusive `fcntl.flock` on `OUT/.coopanalysis.lock` (created without
following a symlink) for the whole run; a second run on the same folder stops at once with
`FolderBusyError` (exit 2, one line). The lock ends with the process holding it, however it ends,
so a killed run never leaves the folder locked. The file stays (removing a lock file races a
waiting run).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from coopanalysis.core.files import PUBLIC_FILE, open_nofollow
from coopanalysis.errors import CoopAnalysisError

LOCK_NAME = ".coopanalysis.lock"


class FolderBusyError(CoopAnalysisError):
    """Another run holds the output folder's lock."""


class FolderLock:
    """An exclusive lock on an output folder, held until `release` (or the process ends)."""

    def __init__(self, out_dir: Path) -> None:
        """Take the lock of `out_dir`; `FolderBusyError` if another run holds it."""
        path = out_dir / LOCK_NAME
        self.fd: int | None = open_nofollow(path, append=True, mode=PUBLIC_FILE)
        os.fchmod(self.fd, PUBLIC_FILE)  # whatever the umask: one mode for the folder's files
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise FolderBusyError(f"another run is writing to {out_dir} (it holds {path}); "
                                  "wait for it to end or choose another --out folder") from None

    def release(self) -> None:
        """Let the lock go (closing its file); does nothing the second time."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
