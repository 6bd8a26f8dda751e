"""A node whose data directory stops accepting writes (a full disk) answers with a clear JSON-RPC
error, keeps serving reads, and leaves every block it had acknowledged intact on disk.

The full disk is simulated with RLIMIT_FSIZE on the node process only: once a file would grow past
the limit, write() fails with EFBIG (Python ignores SIGXFSZ), which is what SQLite sees on a full
disk too (a failed write). Mounting a tiny tmpfs would need privileges CI may not have.
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import rlp
from conftest import ROOT, RunningNode, start_node
from eth_utils import keccak, to_checksum_address
from trie import HexaryTrie

from helpers import CHAIN_ID, dev_account, rpc, rpc_raw

SINK = to_checksum_address("0x00000000000000000000000000000000000d15c0")
HEADROOM = 48 * 1024  # bytes a file may still grow by once the limit is set
MAX_SENDS = 3_000  # bound on the loop that fills the "disk"


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        # Soft limit only: the test may raise it again later ("space comes back").
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return apply


def _start_limited(data_dir: Path, limit: int, timeout: float = 30.0) -> RunningNode:
    """`start_node` with a file-size limit on the node process (conftest's helper has no hook)."""
    cmd = [sys.executable, "-m", "chain.cli", "node", "--port", "0", "--quiet", "--data-dir", str(data_dir)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=_limit_file_size(limit))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.match(r"Listening on ([\d.]+):(\d+)", line)
    if m is None:
        proc.kill()
        raise RuntimeError(f"node did not start: {line}{proc.stdout.read()}")
    return RunningNode(proc, m.group(1), int(m.group(2)))


def _transfer(nonce: int) -> str:
    tx = {"chainId": CHAIN_ID, "nonce": nonce, "to": SINK, "value": 1, "gas": 21_000,
          "maxFeePerGas": 100 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2}
    raw: bytes = dev_account(0).sign_transaction(tx).raw_transaction
    return "0x" + raw.hex().removeprefix("0x")


def _canonical_hashes(url: str) -> dict[int, str]:
    head = int(rpc(url, "eth_blockNumber"), 16)
    return {n: rpc(url, "eth_getBlockByNumber", [hex(n), False])["hash"] for n in range(head + 1)}


def _check_head_state(url: str, address: str) -> dict[str, Any]:
    """The head's stateRoot is the root of the state it serves: a proof of `address` verifies."""
    head: dict[str, Any] = rpc(url, "eth_getBlockByNumber", ["latest", False])
    proof = rpc(url, "eth_getProof", [address, [], "latest"])
    nodes = [bytes.fromhex(p[2:]) for p in proof["accountProof"]]
    root = bytes.fromhex(head["stateRoot"][2:])
    assert keccak(nodes[0]) == root, f"head {head['number']} stateRoot does not match its state"
    raw_account = HexaryTrie.get_from_proof(root, keccak(bytes.fromhex(address[2:])),
                                            [rlp.decode(n) for n in nodes])
    nonce, balance, _storage_root, _code_hash = rlp.decode(raw_account)
    assert int.from_bytes(nonce, "big") == int(proof["nonce"], 16)
    assert int.from_bytes(balance, "big") == int(proof["balance"], 16)
    return head


def _db_files(data_dir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in data_dir.iterdir()}


@pytest.mark.timeout(240)
def test_full_disk_gives_a_clear_error_and_keeps_acknowledged_blocks(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    sender = dev_account(0).address

    # 1. A chain with a few blocks, written without any limit and stopped cleanly.
    node = start_node("--data-dir", str(data_dir))
    try:
        for nonce in range(3):
            assert rpc(node.http_url, "eth_sendRawTransaction", [_transfer(nonce)])
    finally:
        node.stop()
    largest = max(_db_files(data_dir).values())

    # 2. Restart with files allowed to grow only a little: send until a write fails.
    node = _start_limited(data_dir, largest + HEADROOM)
    try:
        url = node.http_url
        acknowledged = _canonical_hashes(url)
        nonce, error = 3, None
        while nonce < 3 + MAX_SENDS:
            reply = rpc_raw(url, "eth_sendRawTransaction", [_transfer(nonce)])
            if "error" in reply:
                error = reply["error"]
                break
            receipt = rpc(url, "eth_getTransactionReceipt", [reply["result"]])
            assert receipt is not None and receipt["status"] == "0x1"
            acknowledged[int(receipt["blockNumber"], 16)] = receipt["blockHash"]
            nonce += 1
        assert error is not None, f"{MAX_SENDS} blocks fitted in {HEADROOM} bytes: no write failed"
        assert error["code"] == -32000, error
        assert re.search(r"writing to .*chain\.sqlite failed, nothing was saved: .*(disk|full|I/O)",
                         error["message"]), error["message"]

        # The node stays up, answers reads, and its head did not move past what was saved.
        assert node.process.poll() is None
        head_number = max(acknowledged)
        assert int(rpc(url, "eth_blockNumber"), 16) == head_number
        assert _canonical_hashes(url) == acknowledged
        assert int(rpc(url, "eth_getBalance", [SINK, "latest"]), 16) == nonce
        assert int(rpc(url, "eth_getTransactionCount", [sender, "latest"]), 16) == nonce
        _check_head_state(url, sender)
        # The refused transaction is not left in the pool to be mined later behind the client's
        # back: sending it again is a new attempt, which fails the same clear way.
        assert rpc(url, "txpool_content")["pending"] == {}
        again = rpc_raw(url, "eth_sendRawTransaction", [_transfer(nonce)])
        assert "error" in again and "nothing was saved" in again["error"]["message"], again
        assert node.process.poll() is None

        # Space comes back (the limit is lifted on the running node): the same transaction is
        # accepted and mined on top of the acknowledged head, nothing else appears.
        resource.prlimit(node.process.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        mined = rpc(url, "eth_sendRawTransaction", [_transfer(nonce)])
        receipt = rpc(url, "eth_getTransactionReceipt", [mined])
        assert int(receipt["blockNumber"], 16) == head_number + 1
        acknowledged[head_number + 1] = receipt["blockHash"]
        head_number, nonce = head_number + 1, nonce + 1
        assert _canonical_hashes(url) == acknowledged
    finally:
        node.stop()

    # 3. Without the limit the chain is intact: every acknowledged block, head state consistent.
    node = start_node("--data-dir", str(data_dir))
    try:
        url = node.http_url
        assert _canonical_hashes(url) == acknowledged
        head = _check_head_state(url, sender)
        assert int(head["number"], 16) == head_number
        assert int(rpc(url, "eth_getBalance", [SINK, "latest"]), 16) == nonce
        # And it carries on from the next nonce.
        assert rpc(url, "eth_sendRawTransaction", [_transfer(nonce)])
        assert int(rpc(url, "eth_blockNumber"), 16) == head_number + 1
    finally:
        node.stop()
