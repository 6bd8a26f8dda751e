"""The node's C allocator settings: fewer glibc arenas, so memory freed by one thread is reused.

Why: in a soak (bench/soak.py) the node's RSS grew while its Python heap (tracemalloc) stayed
nearly flat; glibc's mallinfo2 showed the growth as free memory kept inside malloc's arenas.
glibc gives each thread that allocates its own arena (up to eight per core), and a call worker's
arena keeps what a long run or a large answer freed, out of reach of the loop thread. Two arenas
(the main one and one shared by the workers), as `MALLOC_ARENA_MAX=2` would set, let freed
memory be reused; the workers' contention for one arena is cheap next to the GIL they share.
Only the node's entry point calls this, before it starts a thread; off glibc it does nothing.
"""
from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's arenas at `arenas` unless MALLOC_ARENA_MAX is set; True if the cap was set."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False  # the operator chose
    try:  # the process's own symbols, libc's among them (find_library would run ldconfig)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
