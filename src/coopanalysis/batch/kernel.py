"""Kernels for batch runs: IPC transport in a private folder, so parallel starts never collide.

Kernels started over TCP pick random free ports; several starting at once can
pick the same port and fail with "Address already in use" (papermill issue 511).
Over IPC the kernel's sockets are files, created here in a fresh temporary
folder per kernel, so no two kernels can ever share one.

`IPCKernelManager` is passed to papermill as `kernel_manager_class`; papermill
hands it on to nbclient's `NotebookClient`. Each kernel started in a process
can write its pid to a file (`record_kernel_pid_in`), which the runner reads
(`recorded_pid`) to kill the kernel's process group (`kill_process_group`)
when its report runs out of time.

This module is the batch's one adapter to jupyter_client: the only place that
uses its private API (see `IPCKernelManager`).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager

from coopanalysis.core.files import write_atomic

PROJECT_KERNEL = "coopanalysis"
"""Kernel installed by `make` (`ipykernel install --sys-prefix --name coopanalysis`)."""

FALLBACK_KERNEL = "python3"
"""ipykernel's own spec; jupyter_client runs it with the current interpreter."""

_pid_file: str | None = None


def record_kernel_pid_in(path: str | os.PathLike[str] | None) -> None:
    """Make every kernel started later in this process write its pid to `path` (None: stop).

    The batch runner reads it to kill the kernel (which runs in its own session)
    when a report exceeds its time limit.
    """
    global _pid_file
    _pid_file = None if path is None else os.fspath(path)


def record_kernel_pid(pid: int | None) -> None:
    """Write `pid` (a kernel this process's current report uses) to the recorded pid file, if any."""
    if _pid_file:
        write_pid(_pid_file, pid)


def write_pid(path: str | os.PathLike[str], pid: int | None) -> None:
    """Write `pid` to `path` (read back by `recorded_pid`); nothing if there is no pid."""
    if pid:
        write_atomic(path, str(pid))


def kernel_pid(km: AsyncKernelManager) -> int | None:
    """The pid of the kernel process `km` launched, if it has one."""
    return getattr(km.provisioner, "pid", None)


class IPCKernelManager(AsyncKernelManager):
    """An `AsyncKernelManager` whose kernel talks over IPC sockets in a private temp folder.

    PRIVATE API of jupyter_client (checked against jupyter_client 8): `_async_launch_kernel`
    and `_async_cleanup_resources` are the hooks its public `start_kernel` / `cleanup_resources`
    call; overriding them is the only way to learn the kernel's pid right after launch and to
    remove the socket folder after shutdown. If jupyter_client renames them, only this class changes.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Short prefix: a Unix socket path must stay under ~104 characters.
        self._ipc_dir = tempfile.mkdtemp(prefix="coopk-")
        self.transport = "ipc"
        self.connection_file = os.path.join(self._ipc_dir, "kernel.json")
        self.ip = os.path.join(self._ipc_dir, "k")
        self.records_pid = True
        """Whether its pid goes to the recorded pid file on launch (`record_kernel_pid_in`); not for a
        spare kernel launched while another report's kernel is the one recorded (`batch.spare`)."""
        self.clients: list[Any] = []
        """The clients made for this kernel (`client()`): whoever shuts a kernel down that nbclient
        did not start closes their channels (`batch.spare.shut_down`)."""

    def client(self, **kwargs: Any) -> Any:
        """A client for this kernel (public API), remembered in `clients`."""
        made = super().client(**kwargs)
        self.clients.append(made)
        return made

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        """Launch the kernel (private hook), then write its pid to the recorded pid file, if any."""
        await super()._async_launch_kernel(kernel_cmd, **kw)
        if self.records_pid:
            record_kernel_pid(kernel_pid(self))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """Clean up as jupyter_client does (private hook), and remove the socket folder unless restarting."""
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # type: ignore[assignment]


def default_kernel_name() -> str:
    """The project's kernel if it is installed, else ipykernel's `python3` (same interpreter)."""
    specs = KernelSpecManager().find_kernel_specs()
    return PROJECT_KERNEL if PROJECT_KERNEL in specs else FALLBACK_KERNEL


def kernel_installed(name: str) -> bool:
    """Whether a kernel spec of this name is installed (`jupyter kernelspec list`)."""
    return name in KernelSpecManager().find_kernel_specs()


def recorded_pid(path: Path) -> int | None:
    """The pid written to `path` by `record_kernel_pid_in`, or None if there is none (yet)."""
    try:
        return int(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def kill_recorded_kernel() -> None:
    """Kill the kernel this process last recorded (`record_kernel_pid_in`), if any: a worker whose
    runner is gone ends its kernel before it ends itself."""
    if _pid_file:
        kill_pid_in(_pid_file)


def kill_pid_in(path: str | os.PathLike[str]) -> None:
    """Kill the process group whose leader's pid is in `path` (`write_pid`), if the file holds one."""
    pid = recorded_pid(Path(path))
    if pid:
        kill_process_group(pid)


def kill_process_group(pid: int) -> None:
    """SIGKILL the process group led by `pid` (a kernel or a worker); ignore one that is gone."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
