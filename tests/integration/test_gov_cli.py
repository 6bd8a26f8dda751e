"""`wabei gov propose|vote|show|list` against a running node, and `wabei node --governance FILE`
starting a governed chain (a real node process)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from web3 import Web3

from governance.committee import CommitteeClient
from tests.conftest import ROOT, start_node
from tests.integration.committee_helpers import A, node


def gov(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "gov", *args, "--rpc-url", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_propose_vote_show_and_list_on_a_governed_chain() -> None:
    committee = {"members": {A[0]: 1, A[1]: 1}, "participatesRate": 100, "winRate": 50}
    with node(committee) as w3:
        url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
        made = gov(url, "propose", "governor", A[2], "3", "--interval", "50")
        assert made.returncode == 0, made.stderr
        assert made.stdout.startswith("proposal 1  createUpdateGovernorProposal  created  agree 1 against 0")
        voted = gov(url, "vote", "1", "yes", "--from", A[1])
        assert voted.returncode == 0 and "passed" in voted.stdout, voted.stderr
        shown = gov(url, "show", "1").stdout
        assert f"agree     {A[0]}, {A[1]}" in shown and "executes  0x0000000000000000000000000000000000010001" in shown
        listed = gov(url, "list").stdout.splitlines()
        assert listed[0] == "committee participatesRate 100% winRate 50%"
        assert f"  {A[2]}  weight 3" in listed
        again = gov(url, "vote", "1", "no")
        assert again.returncode != 0 and "already passed and was executed" in again.stderr
        stranger = gov(url, "propose", "rate", "1", "1", "--from", A[4])
        assert stranger.returncode != 0 and "you must be governor" in stranger.stderr
        unknown = gov(url, "propose", "teleport", "1")
        assert unknown.returncode != 0 and "unknown proposal kind 'teleport'" in unknown.stderr
        missing = gov(url, "show", "9")
        assert missing.returncode != 0 and "there is no proposal 9" in missing.stderr


def test_node_governance_file_seeds_the_committee(tmp_path: Path) -> None:
    path = tmp_path / "governance.json"
    path.write_text(json.dumps({"committee": {"members": {A[1]: 2, A[2]: 1}, "participatesRate": 40,
                                              "winRate": 70}}))
    running = start_node("--governance", str(path))
    try:
        info = CommitteeClient(Web3(Web3.HTTPProvider(running.http_url))).committee()
        assert (info.members, info.participates_rate, info.win_rate) == ({A[1]: 2, A[2]: 1}, 40, 70)
    finally:
        running.stop()


def test_node_refuses_a_malformed_governance_file(tmp_path: Path) -> None:
    path = tmp_path / "governance.json"
    path.write_text(json.dumps({"committee": {"members": {A[1]: 0}}}))
    run = subprocess.run([sys.executable, "-m", "chain.cli", "node", "--in-memory", "--port", "0",
                          "--governance", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert f'--governance: {path}: "committee.members".{A[1]}: a weight is from 1' in run.stderr
