"""A 4-validator Wabei network on real CometBFT processes, used over the wire with web3.py.

One network per module (starting it costs seconds on two cores): Wabei + `cometbft start` per
node, made with `cometbft testnet` (tests/comet/testnet.py). The tests run in file order and
share the chain; each asserts on what it added itself.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests
from eth_account import Account
from prometheus_client.parser import text_string_to_metric_families
from web3 import Web3
from web3.exceptions import BlockNotFound, TransactionNotFound, Web3RPCError

from chain.config import DEFAULT_MNEMONIC
from tests.comet import testnet
from tests.conftest import ROOT

# One network for the whole module, on one xdist worker (scripts/test runs --dist loadgroup):
# the tests build on each other's chain and a second network would double the CPU.
pytestmark = pytest.mark.xdist_group("comet-network")
Account.enable_unaudited_hdwallet_features()
KEYS = [Account.from_mnemonic(DEFAULT_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)]
SINK = Web3.to_checksum_address("0x" + "5a" * 20)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[testnet.TestNetwork]:
    network = testnet.create(tmp_path_factory.mktemp("comet"))
    try:
        for node in network.nodes:
            network.start(node)
        yield network
    finally:
        network.stop_all()


def web3(node: testnet.TestNode) -> Web3:
    return Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 30}))


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def transfer(key: Any, nonce: int, chain_id: int = testnet.CHAIN_ID, value: int = 1) -> bytes:
    return bytes(key.sign_transaction(dict(
        to=SINK, value=value, gas=21_000, maxFeePerGas=10**10, maxPriorityFeePerGas=10**9,
        nonce=nonce, chainId=chain_id, type=2)).raw_transaction)


def chain_view(w3: Web3, upto: int) -> list[tuple[bytes, bytes]]:
    return [(bytes(b["hash"]), bytes(b["stateRoot"])) for b in (w3.eth.get_block(n) for n in range(upto + 1))]


def assert_same_chain(nodes: list[testnet.TestNode], timeout: float = 30) -> int:
    """Every node reaches the highest head; then all report the same block hashes and roots."""
    clients = [web3(n) for n in nodes]
    top = max(w.eth.block_number for w in clients)
    wait_for(lambda: all(w.eth.block_number >= top for w in clients), timeout, f"every node at {top}")
    views = [chain_view(w, top) for w in clients]
    assert all(view == views[0] for view in views[1:])
    return top


def test_round_robin_transactions_are_all_included_identically(net: testnet.TestNetwork) -> None:
    clients = [web3(n) for n in net.nodes]
    senders = KEYS[1:5]
    nonces = [clients[0].eth.get_transaction_count(k.address) for k in senders]
    hashes = []
    for i in range(40):  # each sender's consecutive nonces go to different nodes
        s = i % len(senders)
        hashes.append(clients[i % 4].eth.send_raw_transaction(transfer(senders[s], nonces[s] + i // len(senders))))
    receipts = [clients[(i + 1) % 4].eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.2)
                for i, h in enumerate(hashes)]
    assert all(r["status"] == 1 for r in receipts)
    top = assert_same_chain(net.nodes)
    block = clients[2].eth.get_block(receipts[-1]["blockNumber"])
    assert block["number"] <= top and len(block["miner"]) == 42
    # eth_sendTransaction signs with the node's unlocked dev account, then goes through CometBFT.
    sent = clients[3].eth.send_transaction({"from": clients[3].eth.accounts[6], "to": SINK, "value": 3})
    assert clients[1].eth.wait_for_transaction_receipt(sent, timeout=60)["status"] == 1


@pytest.mark.js
def test_ethers_sends_round_robin_with_its_own_nonces(net: testnet.TestNetwork) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (ROOT / "node_modules" / "ethers").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    result = subprocess.run([nodejs, str(ROOT / "tests" / "js" / "network_ethers.mjs"),
                             *(n.url for n in net.nodes)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok 12 transfers mined" in result.stdout and "identical on 4 nodes" in result.stdout


@pytest.mark.parametrize("raw, code, message", [
    (b"\x02\xc0junk", -32602, "failed to decode signed transaction"),
    (transfer(KEYS[7], 0, chain_id=1), -32000, "invalid chain id for signer: have 1, want 31337"),
])
def test_bad_input_gets_a_clear_error(net: testnet.TestNetwork, raw: bytes, code: int, message: str) -> None:
    with pytest.raises(Web3RPCError) as caught:
        web3(net.nodes[1]).eth.send_raw_transaction(raw)
    assert caught.value.rpc_response["error"]["code"] == code
    assert message in caught.value.rpc_response["error"]["message"]


def test_nonce_too_low_and_a_pending_nonce_taken(net: testnet.TestNetwork) -> None:
    w3 = web3(net.nodes[2])
    key = KEYS[8]
    first = w3.eth.send_raw_transaction(transfer(key, 0))
    with pytest.raises(Web3RPCError, match="already in the network's mempool"):
        w3.eth.send_raw_transaction(transfer(key, 0, value=9))
    # Another node may not have seen the first one yet and take a rival; at most one is mined.
    try:
        web3(net.nodes[0]).eth.send_raw_transaction(transfer(key, 0, value=8))
    except Web3RPCError as exc:
        assert "already in the network's mempool" in str(exc) or "nonce too low" in str(exc)
    wait_for(lambda: w3.eth.get_transaction_count(key.address) == 1, 60, "the sender's nonce 0 mined")
    with pytest.raises(Web3RPCError) as caught:
        w3.eth.send_raw_transaction(transfer(key, 0, value=5))
    assert caught.value.rpc_response["error"] == {
        "code": -32000, "message": f"nonce too low: address {key.address.lower()}, tx: 0 state: 1"}
    # Nothing invalid reached a block: exactly one transaction of this sender, on every node.
    top = assert_same_chain(net.nodes)
    mined = [tx for n in range(top + 1) for tx in w3.eth.get_block(n, full_transactions=True)["transactions"]
             if tx["from"] == key.address]
    assert len(mined) == 1 and (mined[0]["hash"] == first or mined[0]["value"] == 8)


def test_a_flood_of_invalid_transactions_is_refused_and_the_node_keeps_serving(net: testnet.TestNetwork) -> None:
    """600 invalid transactions in JSON-RPC batches to one node: wrong chain id, nonces long
    spent, a sender with no funds, garbage. Each gets its own error; none reaches a block or
    the mempool; the node answers and commits a valid transfer right after."""
    node = net.nodes[3]
    w3 = web3(node)
    pauper = Account.create()
    key = KEYS[6]  # spends a nonce first, so that nonce 0 is "too low" below
    tx = w3.eth.send_raw_transaction(transfer(key, w3.eth.get_transaction_count(key.address, "pending")))
    assert w3.eth.wait_for_transaction_receipt(tx, timeout=60)["status"] == 1
    before = w3.eth.block_number
    flood = ([transfer(KEYS[9], 0, chain_id=5)] * 150 + [transfer(key, 0, value=v) for v in range(150)]
             + [bytes(pauper.sign_transaction(dict(to=SINK, value=10**18, gas=21_000, maxFeePerGas=10**10,
                                                  maxPriorityFeePerGas=10**9, nonce=0, chainId=testnet.CHAIN_ID,
                                                  type=2)).raw_transaction)] * 150
             + [b"\x02" + bytes(range(40))] * 150)
    started = time.monotonic()
    answers = []
    for i in range(0, len(flood), 100):
        batch = [{"jsonrpc": "2.0", "id": j, "method": "eth_sendRawTransaction", "params": ["0x" + raw.hex()]}
                 for j, raw in enumerate(flood[i:i + 100])]
        answers += requests.post(node.url, json=batch, timeout=60).json()
    elapsed = time.monotonic() - started
    assert len(answers) == len(flood) and all("error" in a for a in answers), \
        [a for a in answers if "error" not in a][:3]
    messages = {a["error"]["message"].split(":")[0] for a in answers}
    assert {"invalid chain id for signer", "nonce too low", "insufficient funds for gas * price + value",
            "failed to decode signed transaction"} <= messages, messages
    assert elapsed < 60, f"600 refusals took {elapsed:.1f}s"
    pending = requests.post(node.comet_url, json={"jsonrpc": "2.0", "id": 1, "method": "num_unconfirmed_txs",
                                                  "params": {}}, timeout=10).json()["result"]
    assert int(pending["n_txs"]) == 0
    # Still serving: a valid transfer is committed, and no block holds any of the flood.
    tx = w3.eth.send_raw_transaction(transfer(key, w3.eth.get_transaction_count(key.address, "pending")))
    assert w3.eth.wait_for_transaction_receipt(tx, timeout=60)["status"] == 1
    flood_hashes = {Web3.keccak(raw) for raw in flood}
    for n in range(before + 1, w3.eth.block_number + 1):
        assert not flood_hashes & set(w3.eth.get_block(n)["transactions"])


def test_dev_methods_are_not_served(net: testnet.TestNetwork) -> None:
    answer = web3(net.nodes[0]).provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert answer["error"]["code"] == -32601


def test_no_empty_blocks_while_idle(net: testnet.TestNetwork) -> None:
    w3 = web3(net.nodes[0])
    time.sleep(2)  # the one block that signs the last app hash (docs/network.md)
    before = w3.eth.block_number
    time.sleep(10)
    assert w3.eth.block_number == before


def scrape(node: testnet.TestNode) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = requests.get(node.url + "/metrics", timeout=10).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_and_flow_show_consensus_as_the_app_sees_it(net: testnet.TestNetwork) -> None:
    """/metrics on a network node: ABCI call durations, consensus steps per height, CometBFT's
    peers; the flow of a transaction on the node it was sent to and on one it was gossiped to."""
    sender, other = net.nodes[0], net.nodes[1]
    key = KEYS[0]
    w3 = web3(sender)
    tx_hash = w3.eth.send_raw_transaction(transfer(key, w3.eth.get_transaction_count(key.address, "pending")))
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
    wait_for(lambda: web3(other).eth.block_number >= receipt["blockNumber"], 30, "the other node to commit it")
    chain = str(testnet.CHAIN_ID)
    for node in (sender, other):  # peers connect in the first seconds of a network's life
        wait_for(lambda: scrape(node).get(("wabei_peers", (("chain", chain),))) == len(net.nodes) - 1, 30,
                 f"{node.name} to report its {len(net.nodes) - 1} peers")
    for node in (sender, other):
        samples = scrape(node)
        for method in ("check_tx", "finalize_block", "commit"):
            assert samples[("wabei_abci_request_duration_seconds_count", (("method", method),))] > 0, method
        assert samples[("wabei_consensus_step_seconds_count", (("chain", chain), ("step", "commit")))] > 0
        assert samples[("wabei_transactions_total", (("chain", chain),))] >= 1
    here = requests.post(sender.url, json={"jsonrpc": "2.0", "id": 1, "method": "wabei_getTransactionFlow",
                                           "params": ["0x" + bytes(tx_hash).hex()]}, timeout=10).json()["result"]
    steps = [here[k] for k in ("received", "admitted", "included", "executed", "committed")]
    assert all(isinstance(t, float) for t in steps) and steps == sorted(steps), here
    assert here["blockNumber"] == hex(receipt["blockNumber"])
    there = requests.post(other.url, json={"jsonrpc": "2.0", "id": 1, "method": "wabei_getTransactionFlow",
                                           "params": ["0x" + bytes(tx_hash).hex()]}, timeout=10).json()["result"]
    # Gossiped: first seen at CheckTx, so received is admitted; then the same block.
    assert there["received"] == there["admitted"] and there["committed"] >= there["admitted"]
    assert there["blockHash"] == here["blockHash"]


def test_kill_9_a_validator_under_load_then_it_catches_up(net: testnet.TestNetwork) -> None:
    victim, live = net.nodes[3], net.nodes[:3]
    clients = [web3(n) for n in live]
    key = KEYS[9]
    nonce = clients[0].eth.get_transaction_count(key.address)
    sent: list[bytes] = []
    stop = threading.Event()

    def load() -> None:
        i = 0
        while not stop.is_set():
            sent.append(bytes(clients[i % 3].eth.send_raw_transaction(transfer(key, nonce + i))))
            i += 1
            time.sleep(0.05)

    thread = threading.Thread(target=load)
    thread.start()
    try:
        time.sleep(2)
        net.kill(victim)
        height = clients[0].eth.block_number
        wait_for(lambda: clients[1].eth.block_number >= height + 3, 60, "blocks without the killed validator")
    finally:
        stop.set()
        thread.join()
    last = clients[0].eth.wait_for_transaction_receipt(sent[-1], timeout=60)
    # Each node commits a block when CometBFT hands it over: another node may be a block behind.
    wait_for(lambda: clients[2].eth.block_number >= last["blockNumber"], 30, "node2 at the last transfer's block")
    assert last["status"] == 1 and clients[2].eth.get_transaction_count(key.address) == nonce + len(sent)
    net.start(victim)
    top = assert_same_chain(net.nodes, timeout=90)
    assert top >= last["blockNumber"]
    # The restarted node takes part again: a transaction sent to it is included everywhere.
    again = web3(victim).eth.send_raw_transaction(transfer(key, nonce + len(sent)))
    assert clients[0].eth.wait_for_transaction_receipt(again, timeout=60)["status"] == 1
    assert_same_chain(net.nodes)


def test_two_validators_down_commit_nothing_until_one_returns(net: testnet.TestNetwork) -> None:
    live, down = net.nodes[:2], net.nodes[2:]
    for node in down:
        net.kill(node)
    clients = [web3(n) for n in live]
    key = KEYS[7]
    tx = clients[0].eth.send_raw_transaction(transfer(key, clients[0].eth.get_transaction_count(key.address)))
    before = [w.eth.block_number for w in clients]
    time.sleep(6)  # many rounds at 500 ms: 2 of 4 validators are not the 2/3 a commit needs
    assert [w.eth.block_number for w in clients] == before
    with pytest.raises(TransactionNotFound):
        clients[1].eth.get_transaction_receipt(tx)
    net.start(down[0])
    assert clients[1].eth.wait_for_transaction_receipt(tx, timeout=90)["status"] == 1
    net.start(down[1])
    assert_same_chain(net.nodes, timeout=90)


def test_a_node_that_executes_differently_cannot_make_the_others_accept_it(net: testnet.TestNetwork) -> None:
    faulty, honest = net.nodes[3], net.nodes[:3]
    net.stop(faulty)
    settings = json.loads((faulty.folder / "wabei.json").read_text())
    (faulty.folder / "wabei.json").write_text(json.dumps({**settings, "test_fault": True}))
    net.start(faulty)
    clients = [web3(n) for n in honest]
    key = KEYS[5]
    nonce = clients[0].eth.get_transaction_count(key.address)
    # Sent through the faulty node: its admission is sound, only its execution differs.
    first = web3(faulty).eth.send_raw_transaction(transfer(key, nonce))
    receipt = clients[0].eth.wait_for_transaction_receipt(first, timeout=90)
    second = clients[1].eth.send_raw_transaction(transfer(key, nonce + 1))
    assert clients[2].eth.wait_for_transaction_receipt(second, timeout=90)["status"] == 1
    top = assert_same_chain(honest)
    assert top > receipt["blockNumber"]
    # The faulty node built its own version of that block; nobody else has it, and it could
    # not go past it: the next header's app hash is the honest one.
    honest_block = clients[0].eth.get_block(receipt["blockNumber"])
    try:
        faulty_block = web3(faulty).eth.get_block(receipt["blockNumber"])
    except (BlockNotFound, requests.ConnectionError):
        faulty_block = None  # not executed, or the node stopped when its CometBFT halted
    assert faulty_block is None or faulty_block["hash"] != honest_block["hash"]
    wait_for(lambda: "wrong Block.Header.AppHash" in (faulty.folder / "cometbft.log").read_text(),
             30, "the faulty node's CometBFT to refuse the honest block")
