"""`wabei demo sharing-economy` as a newcomer runs it: the real CLI, in a subprocess, against a node."""
from __future__ import annotations

import re
import subprocess
import sys

from web3 import Web3

from conftest import ROOT, RunningNode

STEPS = (
    "pledges shares and a 1 ETH bond", "lists 100 nights", "Alice buys 60 nights and Bob 40",
    "the first tranche goes to the merchant", "resells 10 nights", "donates 5 to a charity",
    "a transfer to it is refused", "freezes 45", "installments 2 and 3", "Alice redeems 3 nights",
    "the stay has expired", "buy back the 95 nights", "a 60% fee is refused, 50% is paid",
    "2 approvals cannot, 3 of 5 can", "she pays half, the fund the other half", "statement",
    "holders are refunded", "releases the merchant's pledge and bond",
)


def test_demo_tells_the_whole_story(fresh_node: RunningNode) -> None:
    # A node of its own: the story moves the chain's clock forward by about 40 days.
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    run = subprocess.run([sys.executable, "-m", "cli", "demo", "sharing-economy", "--rpc-url",
                          fresh_node.http_url],
                         cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    for step in STEPS:
        assert step in out, f"missing step {step!r} in:\n{out}"
    assert "SettlementFeeTooHigh(6000, 5000)" in out and "CouncilInsufficientApprovals" in out
    assert re.search(r"escrow \(PresaleManager\)\s+\+1 ETH", out)  # balances are shown, without gas
    assert out.rstrip().endswith("every refusal was enforced.")
    # The suite is published in the CNS; the names resolve through plain web3.py ENS.
    printed = re.search(r"presale\.wabei\s+PresaleManager\s+(0x[0-9a-fA-F]{40})", out)
    assert printed is not None
    assert w3.ens.address("presale.wabei") == Web3.to_checksum_address(printed.group(1))  # type: ignore[union-attr]


def test_demo_without_a_node_says_so() -> None:
    run = subprocess.run([sys.executable, "-m", "cli", "demo", "sharing-economy", "--rpc-url",
                          "http://127.0.0.1:9"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "no node answers" in run.stderr
