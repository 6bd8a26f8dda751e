"""The node's C allocator settings: fewer glibc arenas, so memory freed by one thread is reused,
and a trimmer that gives free heap pages back to the system.

Why: in a soak (bench/soak.py) the node's RSS grew while its Python heap (tracemalloc) stayed
nearly flat; glibc's mallinfo2 showed the growth as free memory kept inside malloc's arenas.
glibc gives each thread that allocates its own arena (up to eight per core), and a call worker's
arena keeps what a long run or a large answer freed, out of reach of the loop thread. Two arenas
(the main one and one shared by the workers), as `MALLOC_ARENA_MAX=2` would set, let freed
memory be reused; the workers' contention for one arena is cheap next to the GIL they share.
Only the node's entry point calls this, before it starts a thread; off glibc it does nothing.

Why trim: glibc returns freed memory to the system only from the top of the heap. A burst of
large answers (a batch of 1,000 full blocks, a state dump) leaves holes in the middle
that stay resident: in a 10-minute soak (bench/soak.py) the node's heap held 45-60 MiB of free
chunks, and RSS followed the highest burst so far instead of what the node holds. malloc_trim(0)
also releases whole free pages inside the heap (madvise): in the soak it cut the heap's resident
size from 77-87 to 35-40 MiB (docs/benchmarks.md, "Fourth soak"). It walks the free chunks with
the arena locked (55 ms on a synthetic 1.1 GB heap with 200,000 holes; the node's is ~100 MiB),
so it runs on its own thread, where ctypes lets the GIL go.
"""
from __future__ import annotations

import ctypes
import os
import threading
import time

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
ARENAS = 2
TRIM_EVERY_S = 10.0


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


def start_malloc_trimmer(every_s: float = TRIM_EVERY_S) -> threading.Thread | None:
    """Call glibc's malloc_trim(0) every `every_s` seconds on a daemon thread; None off glibc."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int

    def run() -> None:
        while True:
            time.sleep(every_s)
            trim(0)

    thread = threading.Thread(target=run, name="wabei-malloc-trim", daemon=True)
    thread.start()
    return thread
