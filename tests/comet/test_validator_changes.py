"""Validator set changes by transaction on a real network: four validators and one full node made
by `wabei network init` (certificates, app_state with the admin and the devnet's accounts), run
as real Wabei + CometBFT processes. The genesis admin calls the Consensus precompile (0x1003)
with web3.py; CometBFT's own RPC (/validators, /commit) shows the set change at the next
heights. The tests run in file order and build on each other's set."""
from __future__ import annotations

import base64
import random
import socket
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests
from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError

from chain.config import DEFAULT_MNEMONIC
from network.alloc import default_alloc
from network.comet_files import cometbft_binary
from network.init import init_network
from network.plan import plan_network
from tests.comet import testnet

# On the comet network module's worker: two networks at once would double the CPU.
pytestmark = pytest.mark.xdist_group("comet-network")
Account.enable_unaudited_hdwallet_features()
ADMIN = Account.from_mnemonic(DEFAULT_MNEMONIC, account_path="m/44'/60'/0'/0/0")
SENDER = Account.from_mnemonic(DEFAULT_MNEMONIC, account_path="m/44'/60'/0'/0/1")
CONSENSUS = Web3.to_checksum_address("0x0000000000000000000000000000000000001003")
ABI = [
    {"type": "function", "name": "addSealer", "stateMutability": "nonpayable",
     "inputs": [{"name": "nodeId", "type": "string"}, {"name": "weight", "type": "uint256"}],
     "outputs": [{"name": "", "type": "int32"}]},
    {"type": "function", "name": "addObserver", "stateMutability": "nonpayable",
     "inputs": [{"name": "nodeId", "type": "string"}], "outputs": [{"name": "", "type": "int32"}]},
    {"type": "function", "name": "getObserverList", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "nodeIds", "type": "string[]"}]},
    {"type": "function", "name": "remove", "stateMutability": "nonpayable",
     "inputs": [{"name": "nodeId", "type": "string"}], "outputs": [{"name": "", "type": "int32"}]},
    {"type": "function", "name": "getSealerList", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "nodeIds", "type": "string[]"}, {"name": "weights", "type": "uint256[]"}]},
]
NODES = 5  # org1-node1..4 validators, org1-node5 a full node (observer)


def _free_bases() -> tuple[int, int]:
    """A P2P base and an RPC base whose ports (the plan's layout) are all free now."""
    for _ in range(50):
        p2p, rpc = random.randrange(30000, 45000, 100), random.randrange(46000, 60000, 10)
        ports = [p2p + 10 * i + k for i in range(NODES) for k in range(3)] + [rpc + i for i in range(NODES)]
        try:
            for port in ports:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return p2p, rpc
        except OSError:
            continue
    raise RuntimeError("no free port range found")


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[testnet.TestNetwork, dict[str, Any]]]:
    out = tmp_path_factory.mktemp("validators") / "net"
    p2p, rpc = _free_bases()
    plan = plan_network(org_names=["org1"], nodes_per_org=NODES - 1, observers_per_org=1, p2p_base=p2p, rpc_base=rpc)
    manifest = init_network(out, plan, default_alloc(), cometbft=cometbft_binary(), unlocked_mnemonic=DEFAULT_MNEMONIC)
    with testnet.running(out, plan.nodes) as started:
        yield started


def node_id(manifest: dict[str, Any], name: str) -> str:
    """FISCO's node id for a Wabei node: its validator public key in hex."""
    entry = next(n for n in manifest["nodes"] if n["name"] == name)
    return base64.b64decode(entry["validator_pub_key"]).hex()


def address_of(manifest: dict[str, Any], name: str) -> str:
    return str(next(n for n in manifest["nodes"] if n["name"] == name)["validator_address"])


def validators(comet_url: str) -> dict[str, int]:
    """CometBFT's current validator set: address → voting power."""
    body = requests.get(f"{comet_url}/validators", params={"per_page": 100}, timeout=10).json()["result"]
    return {v["address"]: int(v["voting_power"]) for v in body["validators"]}


def signers(comet_url: str, height: int) -> set[str]:
    body = requests.get(f"{comet_url}/commit", params={"height": height}, timeout=10).json()["result"]
    return {s["validator_address"] for s in body["signed_header"]["commit"]["signatures"] if s["validator_address"]}


class Driver:
    """Sends the admin's calls and, to make blocks (none are made while idle), small transfers."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.consensus = w3.eth.contract(address=CONSENSUS, abi=ABI)

    def send(self, account: Any, tx: dict[str, Any]) -> Any:
        tx = {"nonce": self.w3.eth.get_transaction_count(account.address, "pending"), "chainId": 31337,
              "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9, **tx}
        tx_hash = self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
        return self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)

    def admin_ok(self, call: Any) -> Any:
        """The admin's call, which must succeed: simulated first, so a refusal fails the test
        with the precompile's reason instead of a bare status 0."""
        call.call({"from": ADMIN.address})
        receipt = self.admin(call)
        assert receipt["status"] == 1, receipt
        return receipt

    def admin(self, call: Any) -> Any:
        tx = call.build_transaction({"from": ADMIN.address, "gas": 300_000, "nonce": 0,
                                     "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9})
        del tx["nonce"]  # send() takes the pending count
        return self.send(ADMIN, tx)

    def nudge(self) -> int:
        receipt = self.send(SENDER, {"to": SENDER.address, "value": 1, "gas": 21_000})
        return int(receipt["blockNumber"])

    def until(self, check: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            self.nudge()
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def driver(network: testnet.TestNetwork) -> Driver:
    return Driver(Web3(Web3.HTTPProvider(network.nodes[0].url, request_kwargs={"timeout": 30})))


def test_the_admin_adds_the_full_node_as_a_sealer_and_it_signs(net: tuple[testnet.TestNetwork, dict[str, Any]]) -> None:
    network, manifest = net
    d, comet = driver(network), network.nodes[0].comet_url
    new = address_of(manifest, "org1-node5")
    assert new not in validators(comet) and len(validators(comet)) == 4
    # an observer in network.json is one at 0x1003 from genesis, so FISCO 3.1's addSealer takes it
    assert d.consensus.functions.getObserverList().call() == [node_id(manifest, "org1-node5")]
    d.admin_ok(d.consensus.functions.addSealer(node_id(manifest, "org1-node5"), 10))
    d.until(lambda: validators(comet).get(new) == 10, "org1-node5 in /validators")
    assert len(validators(comet)) == 5
    # It votes: its signature appears in a later block's commit.
    d.until(lambda: new in signers(comet, d.nudge() - 1), "a commit signed by org1-node5")


def test_a_removed_sealer_leaves_the_validator_set(net: tuple[testnet.TestNetwork, dict[str, Any]]) -> None:
    network, manifest = net
    d, comet = driver(network), network.nodes[0].comet_url
    gone = address_of(manifest, "org1-node4")
    d.admin_ok(d.consensus.functions.remove(node_id(manifest, "org1-node4")))
    d.until(lambda: gone not in validators(comet), "org1-node4 to leave /validators")
    assert len(validators(comet)) == 4


def test_removing_down_to_one_then_the_last_is_refused(net: tuple[testnet.TestNetwork, dict[str, Any]]) -> None:
    network, manifest = net
    d, comet = driver(network), network.nodes[0].comet_url
    # Whatever the earlier tests left (they may not have run): remove every sealer but node1.
    keep = node_id(manifest, "org1-node1")
    sealers, _ = d.consensus.functions.getSealerList().call()
    assert keep in sealers, sealers
    for sealer in sealers:
        if sealer != keep:
            d.admin_ok(d.consensus.functions.remove(sealer))
    last = address_of(manifest, "org1-node1")
    d.until(lambda: list(validators(comet)) == [last], "org1-node1 alone in /validators")
    with pytest.raises(ContractLogicError, match="FISCO -51101 CODE_LAST_SEALER"):
        d.consensus.functions.remove(node_id(manifest, "org1-node1")).call({"from": ADMIN.address})
    assert d.admin(d.consensus.functions.remove(node_id(manifest, "org1-node1")))["status"] == 0
    assert list(validators(comet)) == [last]
    d.nudge()  # the chain goes on with its one validator
