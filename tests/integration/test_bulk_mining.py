"""Mining many blocks at once: Anvil's bound, every block readable, BLOCKHASH right, node responsive."""
from __future__ import annotations

import threading
import time

from conftest import RunningNode
from web3 import Web3

from helpers import rpc, rpc_error

# Runtime code returning blockhash(calldata word 0): PUSH1 0 CALLDATALOAD BLOCKHASH PUSH1 0 MSTORE
# PUSH1 32 PUSH1 0 RETURN
BLOCKHASH_READER = "0x600035406000526020" + "6000f3"
READER = "0x00000000000000000000000000000000000b10c4"


def test_a_long_run_keeps_every_block_readable_and_hashed(fresh_node: RunningNode) -> None:
    url = fresh_node.http_url
    w3 = Web3(Web3.HTTPProvider(url))
    start = w3.eth.block_number
    rpc(url, "anvil_mine", [hex(20_000), "0x2"])
    assert w3.eth.block_number == start + 20_000
    previous = None
    for n in (start + 1, start + 2, start + 9_999, start + 19_999, start + 20_000):
        block = w3.eth.get_block(n)
        assert block["number"] == n and block["transactions"] == []
        parent = w3.eth.get_block(n - 1)
        assert block["parentHash"] == parent["hash"]
        if n > start + 1:  # the first block takes the clock's time, the others `interval` apart
            assert block["timestamp"] == parent["timestamp"] + 2
        previous = block
    assert previous is not None
    # BLOCKHASH of the 256 most recent blocks is what eth_getBlockByNumber says each hash is.
    for back in (1, 2, 100, 256):
        n = w3.eth.block_number - back + 1
        arg = "0x" + n.to_bytes(32, "big").hex()
        got = rpc(url, "eth_call", [{"to": READER, "data": arg}, "pending",
                                     {READER: {"code": BLOCKHASH_READER}}])
        assert got == w3.eth.get_block(n)["hash"].to_0x_hex()
    # The chain goes on with ordinary blocks after the run.
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": w3.eth.accounts[1], "value": 1})
    assert w3.eth.wait_for_transaction_receipt(tx, timeout=10)["status"] == 1


def test_other_clients_are_served_while_blocks_are_mined(fresh_node: RunningNode) -> None:
    url = fresh_node.http_url
    done = threading.Event()
    mined: list[object] = []

    def mine() -> None:
        mined.append(rpc(url, "hardhat_mine", [hex(60_000)]))
        done.set()

    threading.Thread(target=mine, daemon=True).start()
    time.sleep(0.2)
    waits, heights = [], []
    while not done.is_set():
        t0 = time.perf_counter()
        heights.append(int(rpc(url, "eth_blockNumber"), 16))
        waits.append(time.perf_counter() - t0)
    assert done.wait(300) and mined == [None]
    assert len(waits) >= 3, "the run finished before the node could be asked anything"
    assert max(waits) < 2.0, f"eth_blockNumber waited {max(waits):.2f}s while blocks were mined"
    assert heights == sorted(heights) and heights[0] < heights[-1]


def test_more_than_a_million_blocks_is_refused(fresh_node: RunningNode) -> None:
    url = fresh_node.http_url
    for method, params in (("anvil_mine", [hex(10**6 + 1)]), ("hardhat_mine", ["0xffffffffffffffff"]),
                           ("evm_mine", [{"blocks": "0xffffffffffffffff"}])):
        err = rpc_error(url, method, params)
        assert err["code"] == -32602, (method, err)
    assert int(rpc(url, "eth_blockNumber"), 16) < 10
