"""Kernels for batch runs: IPC transport in a private folder, so parallel starts never collide.

Kernels started over TCP pick random free ports; several starting at once can
pick the same port and fail with "Address already in use" (papermill issue 511).
Over IPC the kernel's sockets are files, created here in a fresh temporary
folder per kernel, so no two kernels can ever share one.

`IPCKernelManager` is passed to papermill as `kernel_manager_class`; papermill
hands it on to nbclient's `NotebookClient`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager

PROJECT_KERNEL = "coopanalysis"
"""Kernel installed by `make` (`ipykernel install --sys-prefix --name coopanalysis`)."""

FALLBACK_KERNEL = "python3"
"""ipykernel's own spec; jupyter_client runs it with the current interpreter."""

_pid_file: str | None = None


def record_kernel_pid_in(path: str | os.PathLike[str] | None) -> None:
    """Make every kernel started later in this process write its pid to `path`.

    The batch runner reads it to kill the kernel (which runs in its own session)
    when a report exceeds its time limit.
    """
    global _pid_file
    _pid_file = None if path is None else os.fspath(path)


class IPCKernelManager(AsyncKernelManager):
    """An `AsyncKernelManager` whose kernel talks over IPC sockets in a private temp folder."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Short prefix: a Unix socket path must stay under ~104 characters.
        self._ipc_dir = tempfile.mkdtemp(prefix="coopk-")
        self.transport = "ipc"
        self.connection_file = os.path.join(self._ipc_dir, "kernel.json")
        self.ip = os.path.join(self._ipc_dir, "k")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        pid = getattr(self.provisioner, "pid", None)
        if _pid_file and pid:
            tmp = f"{_pid_file}.tmp"
            with open(tmp, "w", encoding="ascii") as fh:
                fh.write(str(pid))
            os.replace(tmp, _pid_file)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]


def default_kernel_name() -> str:
    """The project's kernel if it is installed, else ipykernel's `python3` (same interpreter)."""
    specs = KernelSpecManager().find_kernel_specs()
    return PROJECT_KERNEL if PROJECT_KERNEL in specs else FALLBACK_KERNEL
