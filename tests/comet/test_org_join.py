"""A new organisation joins a running 4-validator network by command, FISCO-style, with real
processes: `wabei network org new` makes its CA and node keys in its own folder, the admin's
`wabei network org admit` puts its CA, CRL and node certificate on the trust list by
transactions, `wabei network org join` writes its node's config, and the node, started on a
"host" holding only the network's public files and its own folder, is admitted, block-syncs the
history to the same block hashes, and is made a sealer the FISCO 3.1 way: addSealer first is
refused (-51104), addObserver then addSealer makes it a validator that signs commits.

The tests run in file order and build on each other (one network for the module).
"""
from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError

from network.layout import load_manifest
from tests.comet import joiner
from tests.comet.joiner import comet, wait_for
from tests.comet.test_consortium import KEYS, rpc, same_chain, transfer, wabei
from tests.comet.test_validator_changes import ADMIN, Driver, signers, validators

pytestmark = pytest.mark.xdist_group("comet-network")
NEW = "org3-node1"


class Joining:
    """The network directory, the new organisation's folder, its node's host copy and process."""

    def __init__(self, net: Path, org: Path, host: Path, p2p_port: int, rpc_port: int) -> None:
        self.net, self.org, self.host = net, org, host
        self.p2p_port, self.rpc_port = p2p_port, rpc_port
        self.rpc_url = f"http://127.0.0.1:{rpc_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def nodes(self) -> list[dict[str, Any]]:
        return list(load_manifest(self.net)["nodes"])

    def clients(self) -> list[Web3]:
        return [Web3(Web3.HTTPProvider(n["rpc_url"], request_kwargs={"timeout": 30})) for n in self.nodes()[:4]]

    def entry(self) -> dict[str, Any]:
        return next(n for n in load_manifest(self.org)["nodes"] if n["name"] == NEW)


@pytest.fixture(scope="module")
def joining(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Joining]:
    root = tmp_path_factory.mktemp("orgjoin")
    p2p = joiner.port_block(5)
    rpc_base = joiner.port_block(5, step=1, span=1, low=41000, high=60000)
    init = wabei("init", "--out", str(root / "net"), "--orgs", "2", "--nodes-per-org", "2",
                 "--p2p-port", str(p2p), "--rpc-port", str(rpc_base))
    assert init.returncode == 0, init.stderr
    up = wabei("up", str(root / "net"), "--detach")
    state = Joining(root / "net", root / "org3", root / "org3-host", p2p + 40, rpc_base + 4)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield state
    finally:
        joiner.stop(state.process)
        wabei("down", str(root / "net"))


def test_history_before_the_organisation_exists(joining: Joining) -> None:
    clients = joining.clients()
    hashes = [clients[i % 4].eth.send_raw_transaction(transfer(KEYS[1 + i % 4], i // 4)) for i in range(8)]
    assert all(clients[0].eth.wait_for_transaction_receipt(h, timeout=60)["status"] == 1 for h in hashes)
    same_chain(clients)


def test_org_new_then_admit_puts_it_on_chain(joining: Joining) -> None:
    made = wabei("org", "new", "--name", "org3", "--nodes", "1", "--out", str(joining.org),
                 "--p2p-port", str(joining.p2p_port), "--rpc-port", str(joining.rpc_port))
    assert made.returncode == 0, made.stderr
    admitted = wabei("org", "admit", str(joining.net), str(joining.org / "bundle.json"))
    assert admitted.returncode == 0, admitted.stdout + admitted.stderr
    assert [line.split(":")[0] for line in admitted.stdout.splitlines()[:3]] == [
        "addCA", "publishCRL", "registerCertificate"]
    assert [n["name"] for n in joining.nodes()][-1] == NEW


def test_its_node_joins_with_its_own_folder_and_catches_up(joining: Joining) -> None:
    public = joining.net.parent / "public"  # what the admin hands the new organisation
    public.mkdir()
    for name in ("network.json", "genesis.json"):
        shutil.copy(joining.net / name, public / name)
    joined = wabei("org", "join", str(public), str(joining.org))
    assert joined.returncode == 0, joined.stderr
    # The host: the public files and the node's own folder; the org's CA key went offline.
    joining.host.mkdir()
    for name in ("network.json", "genesis.json", "alloc.json"):
        shutil.copy(joining.org / name, joining.host / name)
    shutil.copytree(joining.org / NEW, joining.host / NEW)
    joining.process = joiner.start_wabei_node(joining.host, NEW, joining.host / "node.log")
    node_id = joining.entry()["node_id"]
    everyone = {n["node_id"] for n in joining.nodes()[:4]}
    comet_url = joining.entry()["comet_rpc_url"]
    wait_for(lambda: {p["node_info"]["id"] for p in comet(comet_url, "net_info")["peers"]} == everyone, 60,
             "the new node to be a peer of all four validators")
    assert all(node_id in {p["node_info"]["id"] for p in comet(n["comet_rpc_url"], "net_info")["peers"]}
               for n in joining.nodes()[:4])
    newcomer = Web3(Web3.HTTPProvider(joining.rpc_url, request_kwargs={"timeout": 30}))
    top = same_chain([*joining.clients(), newcomer], timeout=60)  # the history, block-synced
    assert top >= 2 and newcomer.eth.get_balance(Web3.to_checksum_address("0x" + "c0" * 20)) == 8
    wait_for(lambda: rpc(newcomer, "eth_syncing") is False, 30, "the new node to stop catching up")
    assert rpc(newcomer, "eth_mining") is False


def test_it_becomes_a_sealer_by_add_observer_then_add_sealer(joining: Joining) -> None:
    clients = joining.clients()
    d = Driver(clients[0])
    entry = joining.entry()
    node_id = base64.b64decode(entry["validator_pub_key"]).hex()
    comet_url = joining.nodes()[0]["comet_rpc_url"]
    with pytest.raises(ContractLogicError, match="FISCO -51104 CODE_ADD_SEALER_SHOULD_IN_OBSERVER"):
        d.consensus.functions.addSealer(node_id, 10).call({"from": ADMIN.address})
    d.admin_ok(d.consensus.functions.addObserver(node_id))
    assert node_id in d.consensus.functions.getObserverList().call()
    assert entry["validator_address"] not in validators(comet_url)  # an observer has no vote
    d.admin_ok(d.consensus.functions.addSealer(node_id, 10))
    d.until(lambda: validators(comet_url).get(entry["validator_address"]) == 10, f"{NEW} in /validators", timeout=60)
    d.until(lambda: entry["validator_address"] in signers(comet_url, d.nudge() - 1), f"a commit signed by {NEW}",
            timeout=60)
    newcomer = Web3(Web3.HTTPProvider(joining.rpc_url, request_kwargs={"timeout": 30}))
    wait_for(lambda: rpc(newcomer, "eth_mining") is True, 30, "the new node to say it mines")
    same_chain([*clients, newcomer])
