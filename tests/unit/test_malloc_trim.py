"""chain/malloc.start_malloc_trimmer: memory freed in the middle of the heap goes back to the
system. Each case runs in a fresh interpreter (RSS and the allocator are process-wide); the
control case, without the trimmer, shows the memory staying resident."""
from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys, time
from chain.malloc import start_malloc_trimmer

def rss_mib():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024

base = rss_mib()
blocks = [bytes(24_000) + bytes([i % 256]) for i in range(8_000)]  # ~190 MiB of malloc'd chunks
held = rss_mib() - base
for i in range(len(blocks)):
    if i % 10:
        blocks[i] = None  # 9 in 10 freed; every 10th stays, so the heap's top is never free
if sys.argv[1] == "trim":
    start_malloc_trimmer(0.05)
time.sleep(0.5)
print(held, rss_mib() - base)
"""


def _probe(mode: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True,
                         timeout=60)
    held, after = out.stdout.split()
    return float(held), float(after)


def test_without_the_trimmer_freed_chunks_stay_resident() -> None:
    held, after = _probe("none")
    assert held > 150 and after > 0.8 * held


def test_the_trimmer_gives_freed_pages_back() -> None:
    held, after = _probe("trim")
    assert held > 150 and after < 0.3 * held
