"""The sharing-economy suite on a governed chain, as an operator runs it: `wabei node --governance
FILE` with a deploy white list and a two-member committee, the deployer whitelisted by a
committee vote (`wabei gov propose` → `wabei gov vote` → executed), then `wabei sharing deploy`
and `wabei demo sharing-economy` — all real CLI processes against a real node."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from governance.client import PermissionClient
from governance.committee import CommitteeClient
from tests.conftest import ROOT, RunningNode, start_node
from tests.integration.helpers import dev_account

DEPLOYER = dev_account(0).address  # the suite's deployer: accounts[0] of the node
MEMBERS = (dev_account(7).address, dev_account(8).address)
ADMIN = dev_account(9).address  # the chain admin is not the deployer: only a vote opens deploys
GOVERNANCE = {
    "admin": ADMIN,
    "deployAuthType": "white",
    "committee": {"members": {m: 1 for m in MEMBERS}, "participatesRate": 100, "winRate": 50},
}


def wabei(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture()
def governed(tmp_path: Path) -> Iterator[RunningNode]:
    path = tmp_path / "governance.json"
    path.write_text(json.dumps(GOVERNANCE))
    running = start_node("--governance", str(path))
    yield running
    running.stop()


def test_the_deployer_is_refused_until_the_committee_votes_it_in(governed: RunningNode, tmp_path: Path) -> None:
    url, w3 = governed.http_url, Web3(Web3.HTTPProvider(governed.http_url))
    out = str(tmp_path / "suite.json")
    refused = wabei("sharing", "deploy", "--rpc-url", url, "--out", out)
    assert refused.returncode == 1
    assert (f"Permission: {DEPLOYER} may not deploy contracts on this chain (deploy white list; checked on "
            "tx.origin) (FISCO status 18 PermissionDenied)") in refused.stderr
    assert w3.eth.get_transaction_count(DEPLOYER) == 0  # refused by the estimate: nothing was sent

    made = wabei("gov", "propose", "deploy-auth", DEPLOYER, "true", "--from", MEMBERS[0], "--rpc-url", url)
    assert made.returncode == 0 and "createModifyDeployAuthProposal  created  agree 1" in made.stdout, made.stderr
    assert wabei("sharing", "deploy", "--rpc-url", url, "--out", out).returncode == 1  # one vote of two: not yet
    assert not PermissionClient(w3).may_deploy(DEPLOYER)

    voted = wabei("gov", "vote", "1", "yes", "--from", MEMBERS[1], "--rpc-url", url)
    assert voted.returncode == 0 and "passed  agree 2" in voted.stdout, voted.stderr
    assert PermissionClient(w3).may_deploy(DEPLOYER)
    deployed = wabei("sharing", "deploy", "--rpc-url", url, "--out", out)
    assert deployed.returncode == 0, deployed.stderr
    names = [line.split() for line in deployed.stdout.splitlines() if line.endswith(".wabei")]
    assert len(names) >= 10
    for contract, address, name in names:
        assert w3.ens.address(name) == address  # type: ignore[union-attr]
        assert PermissionClient(w3).admin(address) == DEPLOYER  # a governed chain records admins
    # Still governed: an account nobody voted for is refused.
    assert not PermissionClient(w3).may_deploy(dev_account(1).address)


def test_the_demo_runs_on_the_governed_chain(governed: RunningNode) -> None:
    w3 = Web3(Web3.HTTPProvider(governed.http_url))
    pid = CommitteeClient(w3, MEMBERS[0]).modify_deploy_auth(DEPLOYER, True)
    assert CommitteeClient(w3, MEMBERS[1]).vote(pid, True).status_name == "passed"
    run = wabei("demo", "sharing-economy", "--rpc-url", governed.http_url)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert run.stdout.rstrip().endswith("every refusal was enforced.")
    assert PermissionClient(w3).deploy_type().name == "WHITE_LIST"
