"""glibc's malloc arenas capped at two for netatlas's processes.

glibc gives each thread that allocates while another holds the main arena an arena of its own, up
to 8 per core. A discovery process has ~25 threads (finish waits, the database thread, asyncio's
default executor, the parse pool's feeders); Python's GIL lets few of them allocate at once, but
each arena keeps its own freed, fragmented memory. Capped at two: 239 MB against 246 MB of process
tree peak RSS on the 1,000-device lab (main process 141 against 147 MB, two runs each), no
measurable time.

:func:`cap_arenas` sets the cap for this process (``mallopt``, before its threads exist) and, through
the environment, for the processes it starts (the parse pool's spawned workers). A ``MALLOC_ARENA_MAX``
already set is the operator's and left alone; on a C library without ``mallopt`` (musl, macOS) it
does nothing.
"""

from __future__ import annotations

import ctypes
import os

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def cap_arenas() -> bool:
    """Cap malloc arenas at :data:`ARENAS`; True when this process's cap was set here."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    os.environ["MALLOC_ARENA_MAX"] = str(ARENAS)  # spawned children read it when their malloc starts
    try:
        libc = ctypes.CDLL(None)  # this process and the C library it links
        return bool(libc.mallopt(_M_ARENA_MAX, ARENAS))
    except (OSError, AttributeError):
        return False
