"""Persistence (--data-dir): a stopped node resumes its chain, foreign or busy data directories are
refused, and a node killed with SIGKILL loses no block it acknowledged and keeps a consistent state."""
from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import rlp
from conftest import ROOT, RunningNode, start_node
from eth_utils import keccak, to_checksum_address
from trie import HexaryTrie
from web3 import Web3

from helpers import A0, A1, CHAIN_ID, deploy_token, dev_account, rpc, rpc_raw

BEEF = "0x000000000000000000000000000000000000bEEF"
ETHER = 10**18
GWEI = 10**9


def _w3(n: RunningNode) -> Web3:
    return Web3(Web3.HTTPProvider(n.http_url))


def _signed_transfer(index: int, nonce: int, to: str = A1, value: int = 1) -> tuple[str, str]:
    """(raw tx, tx hash) of an EIP-1559 transfer from dev account `index` with an explicit nonce."""
    tx = {"chainId": CHAIN_ID, "nonce": nonce, "to": to, "value": value, "gas": 21_000,
          "maxFeePerGas": 100 * GWEI, "maxPriorityFeePerGas": GWEI, "type": 2}
    signed = dev_account(index).sign_transaction(tx)
    return "0x" + signed.raw_transaction.hex().removeprefix("0x"), "0x" + signed.hash.hex().removeprefix("0x")


def _send_and_receipt(url: str, index: int, nonce: int) -> dict[str, Any]:
    raw, tx_hash = _signed_transfer(index, nonce)
    assert rpc(url, "eth_sendRawTransaction", [raw]) == tx_hash
    receipt = rpc(url, "eth_getTransactionReceipt", [tx_hash])
    assert receipt is not None and receipt["status"] == "0x1", receipt
    return receipt  # type: ignore[no-any-return]


def _batch(url: str, calls: list[tuple[str, list[Any]]]) -> list[Any]:
    """Results of many JSON-RPC calls, sent as batches; fails on any error."""
    out: list[Any] = []
    for start in range(0, len(calls), 500):
        chunk = calls[start:start + 500]
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(chunk)]
        replies = {r["id"]: r for r in requests.post(url, json=body, timeout=60).json()}
        for i, (m, p) in enumerate(chunk):
            assert "error" not in replies[i], f"{m} {p}: {replies[i]['error']}"
            out.append(replies[i]["result"])
    return out


def _refused(data_dir: Path, *args: str, timeout: float = 30.0) -> tuple[int, str]:
    """Start a node that must refuse `data_dir`: returns (exit code, output). Fails if it listens."""
    cmd = [sys.executable, "-m", "chain.cli", "node", "--port", "0", "--quiet",
           "--data-dir", str(data_dir), *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            assert not line.startswith("Listening on"), f"node started on a refused data dir {args}"
        return proc.wait(timeout=10), "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- 1. stop and resume --------------------------------------------------------------------------

def _snapshot_of_chain(url: str, w3: Web3, tx_hashes: list[str], token: str,
                       addresses: list[str]) -> dict[str, Any]:
    head = rpc(url, "eth_getBlockByNumber", ["latest", False])
    head_n = int(head["number"], 16)
    return {
        "head": head,
        "blocks": [rpc(url, "eth_getBlockByNumber", [hex(n), True]) for n in range(head_n + 1)],
        "balances": {a: rpc(url, "eth_getBalance", [a, "latest"]) for a in addresses},
        "nonces": {a: rpc(url, "eth_getTransactionCount", [a, "latest"]) for a in addresses},
        "code": rpc(url, "eth_getCode", [token, "latest"]),
        "receipts": {h: rpc(url, "eth_getTransactionReceipt", [h]) for h in tx_hashes},
        "txs": {h: rpc(url, "eth_getTransactionByHash", [h]) for h in tx_hashes},
        "logs": rpc(url, "eth_getLogs", [{"fromBlock": "0x0", "toBlock": hex(head_n)}]),
        "token_logs": rpc(url, "eth_getLogs", [{"fromBlock": "0x0", "toBlock": hex(head_n),
                                                "address": token}]),
    }


@pytest.mark.timeout(120)
def test_restart_resumes_the_chain(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "chain")
    n = start_node("--data-dir", data_dir)
    try:
        url, w3 = n.http_url, _w3(n)
        hashes: list[str] = []
        for value in (ETHER, 2 * ETHER):
            hashes.append(w3.eth.send_transaction({"from": A0, "to": A1, "value": value}).to_0x_hex())
        token = deploy_token(w3, 10**24)
        deploy_hash = rpc(url, "eth_getBlockByNumber", ["latest", False])["transactions"][0]
        hashes.append(deploy_hash)
        hashes.append(token.functions.transfer(A1, 1234).transact({"from": A0}).to_0x_hex())
        for nonce in range(3):  # raw signed txs from another account
            hashes.append(_send_and_receipt(url, 2, nonce)["transactionHash"])
        assert all(rpc(url, "eth_getTransactionReceipt", [h]) for h in hashes)

        # A dev edit without a block must be saved too.
        assert rpc(url, "anvil_setBalance", [BEEF, hex(12_345)]) is True
        assert rpc(url, "eth_getBalance", [BEEF, "latest"]) == hex(12_345)
        snap = rpc(url, "evm_snapshot")

        addresses = [A0, A1, BEEF, dev_account(2).address, token.address]
        before = _snapshot_of_chain(url, w3, hashes, token.address, addresses)
        assert int(before["head"]["number"], 16) == len(hashes)
        assert len(before["token_logs"]) == 2  # mint + transfer
        assert before["code"] not in ("0x", "")
    finally:
        n.stop()
    assert n.process.returncode == 0, f"SIGTERM stop exited with {n.process.returncode}"

    n = start_node("--data-dir", data_dir)
    try:
        url, w3 = n.http_url, _w3(n)
        after = _snapshot_of_chain(url, w3, hashes, token.address, addresses)
        for key in before:
            assert after[key] == before[key], f"{key} changed across the restart"
        assert w3.eth.block_number == int(before["head"]["number"], 16)

        # Snapshots live in memory only: one taken before the restart is gone.
        assert rpc(url, "evm_revert", [snap]) is False
        assert rpc(url, "eth_getBlockByNumber", ["latest", False])["hash"] == before["head"]["hash"]
        assert rpc(url, "eth_getBalance", [BEEF, "latest"]) == hex(12_345)

        # The chain continues: the next nonce is accepted and builds on the old head.
        nonce = int(before["nonces"][dev_account(2).address], 16)
        receipt = _send_and_receipt(url, 2, nonce)
        assert int(receipt["blockNumber"], 16) == int(before["head"]["number"], 16) + 1
        new_head = rpc(url, "eth_getBlockByNumber", ["latest", False])
        assert new_head["parentHash"] == before["head"]["hash"]
        # The dev edit survives the next block as well.
        assert rpc(url, "eth_getBalance", [BEEF, "latest"]) == hex(12_345)
        assert w3.eth.contract(address=token.address, abi=token.abi).functions.balanceOf(A1).call() == 1234
    finally:
        n.stop()


# -- 2. refusals ---------------------------------------------------------------------------------

@pytest.mark.timeout(120)
def test_foreign_or_busy_data_dir_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    n = start_node("--data-dir", str(data_dir))
    try:
        url = n.http_url
        _send_and_receipt(url, 1, 0)
        rpc(url, "evm_mine")
        head = rpc(url, "eth_getBlockByNumber", ["latest", False])
        assert int(head["number"], 16) == 2

        # In use by a running node.
        code, out = _refused(data_dir)
        assert code == 1, out
        assert "in use" in out, out
        # ... which keeps running, unharmed.
        assert rpc(url, "eth_getBlockByNumber", ["latest", False])["hash"] == head["hash"]
    finally:
        n.stop()

    for flags in (("--chain-id", "1337"), ("--balance", "5"), ("--accounts", "3"),
                  ("--mnemonic", "legal winner thank year wave sausage worth useful legal winner thank yellow")):
        code, out = _refused(data_dir, *flags)
        assert code == 1, f"{flags}: exit {code}\n{out}"
        assert "data directory" in out, f"{flags}: {out}"
    with pytest.raises(RuntimeError, match="data directory"):
        start_node("--data-dir", str(data_dir), "--chain-id", "1")

    # The refusals left the data alone.
    n = start_node("--data-dir", str(data_dir))
    try:
        url = n.http_url
        assert rpc(url, "eth_getBlockByNumber", ["latest", False]) == head
        assert rpc(url, "eth_chainId") == hex(CHAIN_ID)
        assert rpc(url, "eth_getTransactionCount", [dev_account(1).address, "latest"]) == "0x1"
        _send_and_receipt(url, 1, 1)
    finally:
        n.stop()


# -- 3. SIGKILL crash safety ---------------------------------------------------------------------

SENDERS = (1, 2, 3, 4)
ROUNDS = 10


@dataclass
class _Sender:
    index: int
    url: str
    first_nonce: int
    stop: threading.Event
    attempted: list[str] = field(default_factory=list)  # hashes of every tx sent (maybe mined)
    acked: list[tuple[str, str, int]] = field(default_factory=list)  # (tx, block hash, number)
    problems: list[str] = field(default_factory=list)

    def run(self) -> None:
        session = requests.Session()
        nonce = self.first_nonce
        while not self.stop.is_set():
            raw, tx_hash = _signed_transfer(self.index, nonce)
            self.attempted.append(tx_hash)
            try:
                sent = session.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction",
                                                    "params": [raw]}, timeout=20).json()
                if "error" in sent or sent.get("result") != tx_hash:
                    self.problems.append(f"send nonce {nonce}: {sent}")
                    return
                got = session.post(self.url, json={"jsonrpc": "2.0", "id": 2, "method": "eth_getTransactionReceipt",
                                                   "params": [tx_hash]}, timeout=20).json()
            except (requests.RequestException, ValueError):
                return  # the node was killed
            receipt = got.get("result")
            if receipt is None:
                self.problems.append(f"no receipt right after automine for nonce {nonce}: {got}")
                return
            self.acked.append((tx_hash, receipt["blockHash"], int(receipt["blockNumber"], 16)))
            nonce += 1


def _check_state_root(url: str, address: str) -> None:
    """The head's stateRoot is the root of the state `latest` reads, and proves the account."""
    head = rpc(url, "eth_getBlockByNumber", ["latest", False])
    proof = rpc(url, "eth_getProof", [address, [], "latest"])
    nodes = [bytes.fromhex(p[2:]) for p in proof["accountProof"]]
    root = bytes.fromhex(head["stateRoot"][2:])
    assert keccak(nodes[0]) == root, f"head {head['number']} stateRoot does not match the state"
    raw_account = HexaryTrie.get_from_proof(root, keccak(bytes.fromhex(address[2:])),
                                            [rlp.decode(n) for n in nodes])
    nonce, balance, _storage_root, _code_hash = rlp.decode(raw_account)
    assert int.from_bytes(balance, "big") == int(proof["balance"], 16)
    assert int.from_bytes(nonce, "big") == int(proof["nonce"], 16)
    assert proof["balance"] == rpc(url, "eth_getBalance", [address, "latest"])
    assert proof["nonce"] == rpc(url, "eth_getTransactionCount", [address, "latest"])


@pytest.mark.timeout(240)
def test_sigkill_loses_no_acknowledged_block(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "chain")
    seed = random.randrange(2**32)
    print(f"random seed {seed}")
    rng = random.Random(seed)
    addresses = {i: to_checksum_address(dev_account(i).address) for i in SENDERS}
    mined = {i: 0 for i in SENDERS}  # txs of each sender on chain so far
    acked: list[tuple[str, str, int]] = []  # every receipt any client received, all rounds
    senders: list[_Sender] = []  # the previous round's
    started = time.monotonic()

    for round_no in range(ROUNDS + 1):
        n = start_node("--data-dir", data_dir)
        try:
            url = n.http_url
            where = f"round {round_no} (seed {seed})"
            # Every acknowledged receipt is still there, in the same block, on the canonical chain.
            receipts = _batch(url, [("eth_getTransactionReceipt", [h]) for h, _, _ in acked])
            numbers = sorted({num for _, _, num in acked})
            blocks = dict(zip(numbers, _batch(url, [("eth_getBlockByNumber", [hex(b), False]) for b in numbers])))
            for (tx_hash, block_hash, number), got in zip(acked, receipts):
                assert got is not None, f"{where}: acknowledged tx {tx_hash} (block {number}) was lost"
                assert (got["blockHash"], int(got["blockNumber"], 16)) == (block_hash, number), \
                    f"{where}: tx {tx_hash} moved from block {number} {block_hash} to {got['blockNumber']} {got['blockHash']}"
                assert blocks[number] is not None and blocks[number]["hash"] == block_hash, \
                    f"{where}: block {number} is no longer {block_hash}"
            # Which txs of the killed round made it: acknowledged ones must have, later ones may have.
            for s in senders:
                got = _batch(url, [("eth_getTransactionReceipt", [h]) for h in s.attempted])
                on_chain = [r is not None for r in got]
                count = sum(on_chain)
                assert on_chain == [True] * count + [False] * (len(got) - count), \
                    f"{where}: sender {s.index} has a gap in its mined txs: {on_chain}"
                assert count >= len(s.acked), f"{where}: sender {s.index}: {len(s.acked)} acknowledged, {count} on chain"
                mined[s.index] += count
            for i in SENDERS:
                _check_state_root(url, addresses[i])
            # Each sender's nonce is the number of its txs on chain; the next one is accepted.
            for i in SENDERS:
                on_chain = int(rpc(url, "eth_getTransactionCount", [addresses[i], "latest"]), 16)
                assert on_chain == mined[i], f"{where}: sender {i} nonce {on_chain}, {mined[i]} txs mined"
                _send_and_receipt(url, i, mined[i])
                mined[i] += 1
            if round_no == ROUNDS:
                break

            stop = threading.Event()
            senders = [_Sender(i, url, int(rpc(url, "eth_getTransactionCount", [addresses[i], "latest"]), 16),
                               stop) for i in SENDERS]
            for s in senders:
                assert s.first_nonce == mined[s.index]
            threads = [threading.Thread(target=s.run, daemon=True) for s in senders]
            for t in threads:
                t.start()
            # Kill at a random moment after every sender has had a receipt (so each round has
            # acknowledged blocks to lose): a fixed delay alone left a sender on a busy machine
            # with none yet, and the round proved nothing for it.
            deadline = time.monotonic() + 30
            while not all(s.acked for s in senders) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 1.3))
            still_sending = [t.is_alive() for t in threads]
            n.process.kill()
            n.process.wait(timeout=10)
            stop.set()
            for t in threads:
                t.join(timeout=30)
                assert not t.is_alive(), f"{where}: a sender hung after the kill"
        finally:
            n.stop()  # the last round's clean stop; after a kill, a no-op
        for s in senders:
            assert not s.problems, f"{where}: sender {s.index}: {s.problems}"
        assert all(still_sending), f"{where}: senders stopped before the kill"
        assert all(s.acked for s in senders), f"{where}: some sender got no receipt before the kill"
        acked.extend(a for s in senders for a in s.acked)

    print(f"{ROUNDS} kills, {len(acked)} acknowledged txs, {time.monotonic() - started:.1f} s")
    assert len(acked) >= ROUNDS * len(SENDERS)
