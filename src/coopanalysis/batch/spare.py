"""A spare kernel: the next report's kernel boots while this one runs and its page is rendered.

Starting a kernel costs about 0.5 s (the kernel process imports IPython and ipykernel), and a
batch of small reports spends much of its time on it. A batch worker (`batch._worker`) that
knows another report follows launches one spare kernel as soon as it has taken its own, so the
spare boots beside the current report instead of in front of the next one.

A spare is a fresh kernel that no report has used: it is launched with the same kernel name and
working folder as the report that asked for it, and is only handed to a report with both the
same (`take`); otherwise, or if it has died, it is shut down and the report starts its own, as
papermill would. Each kernel is used by one report and shut down after it, so no report sees
another's state. The spare's pid is kept in a file (`pid_file`) that the runner reads to kill it
with its worker; a worker whose runner is gone kills it too (`kernel.kill_pid_in`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from coopanalysis.batch.kernel import IPCKernelManager, kernel_pid, write_pid

_log = logging.getLogger("coopanalysis.batch")

KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
"""What nbclient passes to an ipykernel it starts itself (its `ipython_hist_file` default): a spare
kernel is started exactly as nbclient would have started it."""


class SpareKernels:
    """At most one kernel launched ahead for the next report of this process."""

    def __init__(self, pid_file: str | os.PathLike[str] | None = None) -> None:
        self.pid_file = None if pid_file is None else Path(pid_file)
        self.spare: IPCKernelManager | None = None
        self.key: tuple[str, str] | None = None

    def launch(self, kernel: str, cwd: str) -> None:
        """Launch a kernel for the next report (kernel `kernel`, working folder `cwd`); returns at once:
        the kernel boots in its own process. A failure is logged only: that report starts its own."""
        self.discard()
        km = IPCKernelManager(kernel_name=kernel)
        km.records_pid = False  # the running report's kernel stays the recorded one
        try:
            asyncio.run(km.start_kernel(cwd=cwd, extra_arguments=list(KERNEL_ARGUMENTS)))
        except Exception:  # the next report starts a kernel itself and reports why that fails
            _log.warning("could not launch a spare kernel", exc_info=True)
            return
        self.spare, self.key = km, (kernel, cwd)
        if self.pid_file is not None:
            write_pid(self.pid_file, kernel_pid(km))

    def take(self, kernel: str, cwd: str) -> IPCKernelManager | None:
        """The spare kernel if it was launched for this kernel name and folder and still runs, else None
        (a spare that does not fit is shut down)."""
        key, km = self.key, self._pop()
        if km is not None and key == (kernel, cwd) and asyncio.run(km.is_alive()):
            return km
        if km is not None:
            shut_down(km)
        return None

    def discard(self) -> None:
        """Shut down the spare kernel, if there is one (no report follows)."""
        km = self._pop()
        if km is not None:
            shut_down(km)

    def _pop(self) -> IPCKernelManager | None:
        """The spare kernel, no longer kept (nor its pid file)."""
        km, self.spare, self.key = self.spare, None, None
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)
        return km


def shut_down(km: IPCKernelManager) -> None:
    """End a kernel at once (its report has finished, its outputs are in the notebook) and close the
    channels of the clients made for it; tolerate one that has died already."""
    for client in km.clients:
        client.stop_channels()
    km.clients.clear()
    try:
        asyncio.run(km.shutdown_kernel(now=True))
    except Exception:  # already gone: only its socket folder is left to remove
        _log.debug("shutting down a kernel", exc_info=True)
        asyncio.run(km.cleanup_resources())
