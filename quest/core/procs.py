"""Child processes of `talentquest serve --workers N` die with their parent.

uvicorn's workers and the scheduler process are children of `serve`. If `serve` is killed
outright (SIGKILL, the OOM killer), nothing would stop them: they would keep serving on the
inherited socket, unsupervised. `serve` names itself in TQ_SERVE_PARENT; each child then asks
Linux to SIGKILL it when its parent dies (PR_SET_PDEATHSIG), which is what a crash of a
single-process server would have done to it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PARENT_ENV = "TQ_SERVE_PARENT"
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child of `serve --workers`: be SIGKILLed when the parent dies (Linux only)."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != int(parent):  # the parent died before the request took effect
        os._exit(1)
