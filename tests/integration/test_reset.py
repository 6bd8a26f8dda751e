"""anvil_reset / hardhat_reset: a fresh genesis from the start flags, never a user's stored chain
by surprise, and never half a chain after a crash."""
from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

from conftest import RunningNode, start_node
from helpers import A0, A1, rpc, rpc_error

OTHER = "0x000000000000000000000000000000000000bEEF"
TEN_THOUSAND_ETH = hex(10_000 * 10**18)


def _head(url: str) -> int:
    return int(rpc(url, "eth_blockNumber"), 16)


def test_reset_returns_to_a_fresh_genesis_and_drops_dev_state() -> None:
    n = start_node("--chain-id", "4242", "--gas-limit", "20000000")
    try:
        url = n.http_url
        rpc(url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": hex(10**18)}])
        rpc(url, "anvil_setBalance", [OTHER, hex(5 * 10**18)])
        rpc(url, "anvil_impersonateAccount", [OTHER])
        snap = rpc(url, "evm_snapshot")
        block_filter = rpc(url, "eth_newBlockFilter")
        rpc(url, "anvil_setChainId", ["0x7"])
        rpc(url, "evm_setBlockGasLimit", [hex(25_000_000)])
        rpc(url, "evm_increaseTime", [hex(10**6)])
        rpc(url, "evm_setAutomine", [False])
        rpc(url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}])
        old_instance = rpc(url, "anvil_metadata")["instanceId"]

        rpc(url, "hardhat_reset")
        assert _head(url) == 0
        genesis = rpc(url, "eth_getBlockByNumber", ["0x0", False])
        assert int(genesis["gasLimit"], 16) == 20_000_000
        assert abs(int(genesis["timestamp"], 16) - time.time()) < 60  # not 10^6 s ahead
        assert rpc(url, "eth_chainId") == hex(4242) and rpc(url, "net_version") == "4242"
        assert rpc(url, "eth_getBalance", [A0, "latest"]) == TEN_THOUSAND_ETH
        assert rpc(url, "eth_getBalance", [OTHER, "latest"]) == "0x0"
        assert rpc(url, "txpool_status") == {"pending": "0x0", "queued": "0x0"}
        assert rpc(url, "evm_revert", [snap]) is False
        assert rpc_error(url, "eth_getFilterChanges", [block_filter])["message"] == "filter not found"
        err = rpc_error(url, "eth_sendTransaction", [{"from": OTHER, "to": A1, "value": "0x0"}])
        assert "not impersonated" in err["message"]
        meta = rpc(url, "anvil_metadata")
        assert meta["instanceId"] != old_instance and meta["latestBlockNumber"] == 0
        assert meta["chainId"] == 4242 and meta["snapshots"] == {} and meta["forkedNetwork"] is None
        # The mining mode stays (manual here), as in Anvil; the next block follows the start flags.
        assert rpc(url, "anvil_getAutomine") is False
        rpc(url, "evm_setAutomine", [True])
        tx = rpc(url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}])
        receipt = rpc(url, "eth_getTransactionReceipt", [tx])
        assert receipt["blockNumber"] == "0x1"
        block1 = rpc(url, "eth_getBlockByNumber", ["0x1", False])
        assert int(block1["gasLimit"], 16) == 20_000_000
        assert rpc(url, "eth_getTransactionByHash", [tx])["chainId"] == hex(4242)
    finally:
        n.stop()


def test_reset_with_forking_is_refused(fresh_node: RunningNode) -> None:
    url = fresh_node.http_url
    rpc(url, "evm_mine")
    for params in ([{"forking": {"jsonRpcUrl": "https://example.invalid", "blockNumber": 1}}],
                   [{"forking": {"blockNumber": 5}}], ["not an object"]):
        err = rpc_error(url, "anvil_reset", params)
        assert err["code"] == -32602, err
    assert "forking is not supported (no network access)" in rpc_error(
        url, "anvil_reset", [{"forking": {"jsonRpcUrl": "https://example.invalid"}}])["message"]
    assert _head(url) == 1  # nothing was reset
    rpc(url, "anvil_reset", [{"forking": {"blockNumber": None}}])  # what viem's reset() sends
    assert _head(url) == 0


def test_reset_of_a_stored_chain_needs_the_flag(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "chain")
    n = start_node("--data-dir", data_dir)
    try:
        rpc(n.http_url, "anvil_mine", ["0x5"])
        err = rpc_error(n.http_url, "anvil_reset")
        assert err["code"] == -32602 and "--allow-reset" in err["message"], err
        assert _head(n.http_url) == 5
    finally:
        n.stop()
    n = start_node("--data-dir", data_dir, "--allow-reset")
    try:
        assert _head(n.http_url) == 5  # the refused reset deleted nothing
        rpc(n.http_url, "anvil_setBalance", [OTHER, "0x1"])
        rpc(n.http_url, "anvil_reset")
        assert _head(n.http_url) == 0
        assert rpc(n.http_url, "eth_getBalance", [OTHER, "latest"]) == "0x0"
        rpc(n.http_url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}])
        genesis_hash = rpc(n.http_url, "eth_getBlockByNumber", ["0x0", False])["hash"]
    finally:
        n.stop()
    n = start_node("--data-dir", data_dir)  # the reset chain is what is stored now
    try:
        assert _head(n.http_url) == 1
        assert rpc(n.http_url, "eth_getBlockByNumber", ["0x0", False])["hash"] == genesis_hash
        assert rpc(n.http_url, "eth_getBalance", [OTHER, "latest"]) == "0x0"
    finally:
        n.stop()


def _post_without_waiting(n: RunningNode, method: str) -> socket.socket:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    sock = socket.create_connection((n.host, n.port))
    sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    return sock


def test_sigkill_mid_reset_leaves_the_old_chain_or_the_new(tmp_path: Path) -> None:
    """SIGKILL lands at several points around a reset of a chain with some history; every
    restart finds a whole chain (the old head or a fresh genesis) that still mines."""
    data_dir = str(tmp_path / "chain")
    outcomes = set()
    for delay in (0.0, 0.005, 0.02, 0.05):
        n = start_node("--data-dir", data_dir, "--allow-reset")
        try:
            if _head(n.http_url) < 150:
                rpc(n.http_url, "anvil_mine", ["0x96"])  # 150 blocks of history to delete
            old_head = _head(n.http_url)
            sock = _post_without_waiting(n, "anvil_reset")
            time.sleep(delay)
            os.kill(n.process.pid, signal.SIGKILL)
            n.process.wait()
            sock.close()
        finally:
            n.stop()
        n = start_node("--data-dir", data_dir, "--allow-reset")
        try:
            head = _head(n.http_url)
            assert head in (0, old_head), f"after SIGKILL at {delay}s: head {head}"
            outcomes.add(head == 0)
            balance = int(rpc(n.http_url, "eth_getBalance", [A0, "latest"]), 16)
            assert balance > 0
            tx = rpc(n.http_url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}])
            assert rpc(n.http_url, "eth_getTransactionReceipt", [tx])["blockNumber"] == hex(head + 1)
        finally:
            n.stop()
    assert outcomes, "no restart happened"
