"""A committee on a real network: `wabei network init --governance FILE` seeds the file's
committee into every node's genesis (app_state.governance), and a proposal voted through on
one node adds a sealer through the Consensus precompile (0x1003) on all of them. Two validators
and one full node, run as real Wabei + CometBFT processes; every node is asked over its own
JSON-RPC and its own CometBFT RPC."""
from __future__ import annotations

import time
from typing import Any, Iterator

import pytest
from eth_account import Account
from web3 import Web3

from chain.config import DEFAULT_MNEMONIC
from governance.committee import CommitteeClient
from network.alloc import default_alloc
from network.comet_files import cometbft_binary
from network.init import init_network
from network.plan import plan_network
from tests.comet import testnet
from tests.comet.test_validator_changes import ABI, CONSENSUS, _free_bases, address_of, node_id, validators

pytestmark = pytest.mark.xdist_group("comet-network")
Account.enable_unaudited_hdwallet_features()
M1, M2 = (Account.from_mnemonic(DEFAULT_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in (1, 2))
# Both members must vote (participation 100 %): the proposal passes only with the second vote.
GOVERNANCE = {"committee": {"members": {M1.address: 1, M2.address: 1}, "participatesRate": 100, "winRate": 50}}
FULL_NODE = "org1-node3"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[testnet.TestNetwork, dict[str, Any]]]:
    out = tmp_path_factory.mktemp("committee") / "net"
    p2p, rpc = _free_bases()
    plan = plan_network(org_names=["org1"], nodes_per_org=2, observers_per_org=1, p2p_base=p2p, rpc_base=rpc)
    init_network(out, plan, default_alloc(), cometbft=cometbft_binary(), unlocked_mnemonic=DEFAULT_MNEMONIC,
                 governance=GOVERNANCE)
    with testnet.running(out, plan.nodes) as started:
        yield started


def web3s(network: testnet.TestNetwork) -> list[Web3]:
    return [Web3(Web3.HTTPProvider(n.url, request_kwargs={"timeout": 30})) for n in network.nodes]


def nudge(w3: Web3) -> int:
    """A 1-wei transfer, to make a block (none are made while idle); its block number."""
    tx = {"to": M1.address, "value": 1, "gas": 21_000, "chainId": 31337, "maxFeePerGas": 10**10,
          "maxPriorityFeePerGas": 10**9, "nonce": w3.eth.get_transaction_count(M1.address, "pending")}
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(
        M1.sign_transaction(tx).raw_transaction), timeout=30)
    return int(receipt["blockNumber"])


def test_every_node_starts_with_the_committee_of_the_file(net: tuple[testnet.TestNetwork, dict[str, Any]]) -> None:
    network, _ = net
    for w3 in web3s(network):
        info = CommitteeClient(w3).committee()
        assert (info.members, info.participates_rate, info.win_rate) == ({M1.address: 1, M2.address: 1}, 100, 50)


def test_a_committee_vote_adds_a_sealer_and_every_node_agrees(net: tuple[testnet.TestNetwork, dict[str, Any]]) -> None:
    network, manifest = net
    first, *others = web3s(network)
    new, key = address_of(manifest, FULL_NODE), node_id(manifest, FULL_NODE)
    assert new not in validators(network.nodes[0].comet_url)
    pid = CommitteeClient(first, M1).set_consensus_weight(key, 10, add=True)
    assert CommitteeClient(first).proposal(pid).status_name == "created"  # one vote of two: not yet
    assert new not in validators(network.nodes[0].comet_url)
    # The second member votes on another node: the vote executes the proposal there and everywhere.
    assert CommitteeClient(others[0], M2).vote(pid, True).status_name == "passed"
    for _ in range(20):
        if all(validators(n.comet_url).get(new) == 10 for n in network.nodes):
            break
        nudge(first)
    head = nudge(first)
    for node, w3 in zip(network.nodes, [first, *others]):
        assert validators(node.comet_url).get(new) == 10, node.name
        assert len(validators(node.comet_url)) == 3, node.name
        sealers, weights = w3.eth.contract(address=CONSENSUS, abi=ABI).functions.getSealerList().call()
        assert dict(zip(sealers, weights)).get(key) == 10, node.name
        assert CommitteeClient(w3).proposal(pid).status_name == "passed", node.name
    for w3 in others:  # one chain: the same block at the same height
        deadline = time.monotonic() + 30
        while int(w3.eth.block_number) < head and time.monotonic() < deadline:
            time.sleep(0.2)
        assert w3.eth.get_block(head)["hash"] == first.eth.get_block(head)["hash"]
