"""Issue 16's speed targets, judged from one benchmark run's medians: a pure function, no nodes.

`bench/run.py` measures every peer (peers interleaved, medians over runs) and hands the medians to
`judge`, which says for each target whether it holds, misses, or was not measured in this run and
why. Kept apart from the runner so that tests/unit/test_bench_targets.py can check the arithmetic
and the verdicts from given figures without starting a node.

`medians` maps a peer name ("Wabei", "Wabei (disk)", "Hardhat", "Ganache", ...) to its metric
medians; the metric keys are those of bench/run.py (`erc`, `erc_pipe`, `concurrent`, `call`,
`startup`, `node_cpu_ms`). `./scripts/bench --all` adds the long chain's, the large state's and
the network's figures under the pseudo-peers named below, so one run judges every target.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

HOLDS = "holds"
MISSES = "misses"
NOT_MEASURED = "not measured"
REPORTED = "reported"  # a figure the issue asks for, with no threshold

LONG_CHAIN = "Wabei (disk, 10,000 blocks)"  # bench/long_chain.py
LONG_CHAIN_MEMORY = "Wabei (in memory, beside the long chain)"
LARGE = "Wabei (disk, 100,000 accounts + 10,000 blocks)"  # bench/large_state.py
LARGE_EMPTY = "Wabei (disk, empty, beside the large chain)"
NETWORK = "Wabei network (4 validators)"  # bench/network.py
ONLY_IN_ALL = " (./scripts/bench --all)"

Medians = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class Verdict:
    """One target: what it asks, the measured figure behind the verdict, and the verdict."""

    target: str
    measured: str
    result: str  # HOLDS, MISSES, NOT_MEASURED or REPORTED


@dataclass(frozen=True)
class Ratio:
    """`metric` of `subject` divided by the same metric of `peer` must be >= `at_least`."""

    target: str
    metric: str
    peer: str
    at_least: float
    subject: str = "Wabei"
    how: str = ""  # appended to "not run": how to measure it


@dataclass(frozen=True)
class Ceiling:
    """`metric` of Wabei must be <= `at_most`, or <= the same metric of `peer` when one is named."""

    target: str
    metric: str
    unit: str
    at_most: float | None = None
    peer: str | None = None


@dataclass(frozen=True)
class Figure:
    """A figure with no threshold: `template` formatted with `peer`'s metrics."""

    target: str
    peer: str
    metrics: tuple[str, ...]
    template: str


Target = Ratio | Ceiling | Figure

ISSUE_16: tuple[Target, ...] = (
    Ratio("Sequential ERC-20 (send + receipt) >= 0.8x Hardhat", "erc", "Hardhat", 0.8),
    Ratio("Sequential ERC-20 (send + receipt) >= 2x Ganache", "erc", "Ganache", 2.0),
    Ratio("Pipelined ERC-20 >= 0.6x Hardhat", "erc_pipe", "Hardhat", 0.6),
    Ratio("Pipelined ERC-20 >= 2x Ganache", "erc_pipe", "Ganache", 2.0),
    Ratio("Pipelined ERC-20, data dir within 15% of in-memory (fresh data dir)", "erc_pipe", "Wabei",
          0.85, subject="Wabei (disk)"),
    Ratio("Pipelined ERC-20, data dir within 15% of in-memory on a 10,000-block chain", "erc_pipe",
          LONG_CHAIN_MEMORY, 0.85, subject=LONG_CHAIN, how=ONLY_IN_ALL),
    Ratio("8 concurrent senders, 1 s blocks >= 1.0x Hardhat", "concurrent", "Hardhat", 1.0),
    Ceiling("Node CPU per sequential ERC-20 transfer <= 3.5 ms", "node_cpu_ms", "ms", at_most=3.5),
    Ceiling("eth_call latency <= Hardhat's", "call", "ms", peer="Hardhat"),
    Ceiling("Startup to a served eth_chainId <= 1 s", "startup", "s", at_most=1.0),
    Ratio("Large state (100,000 accounts, 10,000 blocks) within 10% of an empty chain (ERC-20)", "erc",
          LARGE_EMPTY, 0.9, subject=LARGE, how=ONLY_IN_ALL),
    Figure("Network mode: 4 validators, throughput, commit latency, CPU per node", NETWORK,
           ("net_tps", "net_p50_ms", "net_p99_ms", "net_burst_tps", "net_wabei_cpu", "net_comet_cpu"),
           "{net_tps:.1f} tx/s waiting (commit p50 {net_p50_ms:.0f} ms, p99 {net_p99_ms:.0f} ms), "
           "{net_burst_tps:.1f} tx/s back to back; busiest node {net_wabei_cpu:.2f} + CometBFT "
           "{net_comet_cpu:.2f} CPU s/s"),
)


def judge(medians: Medians, targets: tuple[Target, ...] = ISSUE_16) -> list[Verdict]:
    """Each target's verdict from `medians`; a target whose figures are absent is NOT_MEASURED."""
    return [_judge_one(t, medians) for t in targets]


def _missing(medians: Medians, needs: list[tuple[str, str]]) -> str | None:
    gone = [f"{peer} {metric}" for peer, metric in needs if medians.get(peer, {}).get(metric) is None]
    return ", ".join(gone) + " not run" if gone else None


def _judge_one(t: Target, medians: Medians) -> Verdict:
    if isinstance(t, Figure):
        missing = _missing(medians, [(t.peer, m) for m in t.metrics[:1]])
        if missing:
            return Verdict(t.target, missing + ONLY_IN_ALL, NOT_MEASURED)
        return Verdict(t.target, t.template.format(**medians[t.peer]), REPORTED)
    if isinstance(t, Ratio):
        missing = _missing(medians, [(t.subject, t.metric), (t.peer, t.metric)])
        if missing:
            return Verdict(t.target, missing + t.how, NOT_MEASURED)
        mine, theirs = medians[t.subject][t.metric], medians[t.peer][t.metric]
        if theirs <= 0:
            return Verdict(t.target, f"{t.peer} {t.metric} is {theirs}", NOT_MEASURED)
        ratio = mine / theirs
        return Verdict(t.target, f"{ratio:.2f}x ({mine:.1f} / {theirs:.1f})",
                       HOLDS if ratio >= t.at_least else MISSES)
    needs = [("Wabei", t.metric)] + ([(t.peer, t.metric)] if t.peer else [])
    missing = _missing(medians, needs)
    if missing:
        return Verdict(t.target, missing, NOT_MEASURED)
    mine = medians["Wabei"][t.metric]
    limit = medians[t.peer][t.metric] if t.peer else t.at_most
    assert limit is not None, f"{t.target}: a Ceiling needs at_most or peer"
    against = f"{t.peer}'s {limit:.2f} {t.unit}" if t.peer else f"limit {limit:g} {t.unit}"
    return Verdict(t.target, f"{mine:.2f} {t.unit} vs {against}", HOLDS if mine <= limit else MISSES)


def render(verdicts: list[Verdict]) -> str:
    """A Markdown table, ready to paste into docs/benchmarks.md."""
    rows = [("Target (issue 16)", "Measured", "Result")] + [(v.target, v.measured, v.result) for v in verdicts]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(r)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
