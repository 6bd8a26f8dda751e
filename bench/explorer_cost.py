"""What serving the explorer costs the automine path: nobody looking, and the overview open.

    python bench/explorer_cost.py [--rounds 5] [--txs 400]

Three modes, alternating round by round on one checkout (this one), each an in-memory node fed
the same pre-signed raw ETH transfers over HTTP (bench/ab_raw_transfers.py's workload):

* `--no-explorer`: the page is not served at all;
* `explorer, closed`: served (the default), nobody has it open;
* `overview open`: headless Chromium (Debian's, through Playwright) shows /explorer/'s overview,
  which follows newHeads and pending transactions over a WebSocket and reloads its data at most
  once a second (explorer/web/src/pages/overview.jsx).

Prints tx/s and the node's own CPU time per transfer (utime + stime from /proc, so other work on
the machine moves it less than wall time). docs/benchmarks.md records the result.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

from ab_raw_transfers import rate, signed

ROOT = Path(__file__).resolve().parents[1]
MODES = ("--no-explorer", "explorer, closed", "overview open")


def start(no_explorer: bool) -> tuple[subprocess.Popen[str], str]:
    extra = ["--no-explorer"] if no_explorer else []
    proc = subprocess.Popen([sys.executable, "-m", "chain.cli", "node", "--port", "0", "--quiet", "--in-memory", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    match = re.search(r":(\d+)", proc.stdout.readline())
    if match is None:
        proc.kill()
        raise RuntimeError("the node did not print its address")
    return proc, f"http://127.0.0.1:{match.group(1)}"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def overview(url: str) -> Iterator[Any]:
    """A headless Chromium showing the overview until the generator is closed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url + "/explorer/")
        page.get_by_test_id("live-state").filter(has_text="live").wait_for(timeout=30_000)
        yield page
        browser.close()


def one_round(mode: str, raws: list[str]) -> tuple[float, float]:
    proc, url = start(mode == "--no-explorer")
    page = overview(url) if mode == "overview open" else None
    try:
        if page is not None:
            next(page)
        time.sleep(0.5)
        cpu0 = cpu_seconds(proc.pid)
        tps = rate(url, raws)
        return tps, (cpu_seconds(proc.pid) - cpu0) / len(raws) * 1000
    finally:
        if page is not None:
            page.close()
        proc.terminate()
        proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--txs", type=int, default=400)
    args = ap.parse_args()
    raws = signed(args.txs)
    results: dict[str, list[tuple[float, float]]] = {m: [] for m in MODES}
    for i in range(args.rounds):
        order = MODES if i % 2 == 0 else tuple(reversed(MODES))  # no mode always goes first
        for mode in order:
            results[mode].append(one_round(mode, raws))
    for mode, runs in results.items():
        tps = [r[0] for r in runs]
        cpu = [r[1] for r in runs]
        print(f"{mode:<18} tx/s {' '.join(f'{t:5.0f}' for t in tps)}  median {statistics.median(tps):6.1f}   "
              f"node CPU ms/tx median {statistics.median(cpu):5.2f} (min {min(cpu):.2f}, max {max(cpu):.2f})")


if __name__ == "__main__":
    main()
