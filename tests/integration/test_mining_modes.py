"""Mining modes over the wire: interval mining batches transactions, manual mining waits."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from conftest import start_node
from web3 import Web3

from helpers import A0, dev_account, rpc

SENDERS = 8


def test_interval_mode_is_idle_without_transactions() -> None:
    n = start_node("--block-time", "1")
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        start = w3.eth.block_number
        time.sleep(2.5)
        assert w3.eth.block_number == start
        assert rpc(n.http_url, "anvil_getAutomine") is False
    finally:
        n.stop()


def test_interval_mode_puts_concurrent_transactions_in_one_block() -> None:
    # Empty blocks make the ticks visible, so the test can send right after one and stay clear
    # of the next boundary (otherwise the batch could straddle two intervals by bad luck).
    n = start_node("--block-time", "1", "--allow-empty-blocks")
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        signed = []
        base = w3.eth.get_block("latest")["baseFeePerGas"]
        for i in range(1, SENDERS + 1):
            acct = dev_account(i)
            signed.append(acct.sign_transaction({
                "chainId": 31337, "nonce": 0, "to": A0, "value": i, "gas": 21_000,
                "maxFeePerGas": 4 * base, "maxPriorityFeePerGas": 1}).raw_transaction)
        start = w3.eth.block_number
        deadline = time.monotonic() + 5
        while w3.eth.block_number == start:
            assert time.monotonic() < deadline, "interval mode with --allow-empty-blocks mined nothing"
            time.sleep(0.02)
        start = w3.eth.block_number

        def send(raw: bytes) -> Any:
            return Web3(Web3.HTTPProvider(n.http_url)).eth.send_raw_transaction(raw)
        with ThreadPoolExecutor(SENDERS) as pool:
            hashes = list(pool.map(send, signed))
        receipts = [w3.eth.wait_for_transaction_receipt(h, timeout=10) for h in hashes]
        blocks = {r["blockNumber"] for r in receipts}
        assert len(blocks) == 1, f"transactions spread over blocks {sorted(blocks)}"
        (number,) = blocks
        assert number == start + 1
        assert len(w3.eth.get_block(number)["transactions"]) == SENDERS
        assert all(r["status"] == 1 for r in receipts)
    finally:
        n.stop()


def test_interval_mode_mines_on_its_own() -> None:
    n = start_node("--block-time", "1")
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        sent = time.monotonic()
        tx = w3.eth.send_transaction({"from": A0, "to": dev_account(1).address, "value": 1})
        receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=5, poll_latency=0.05)
        assert time.monotonic() - sent <= 2.5
        assert receipt["status"] == 1
    finally:
        n.stop()


def test_no_mining_waits_for_evm_mine() -> None:
    n = start_node("--no-mining")
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        hashes = [w3.eth.send_transaction({"from": A0, "to": dev_account(1).address, "value": v})
                  for v in (1, 2, 3)]
        time.sleep(1.5)
        assert w3.eth.block_number == 0
        assert w3.eth.get_transaction(hashes[0])["blockNumber"] is None
        assert rpc(n.http_url, "evm_mine") == "0x0"
        assert w3.eth.block_number == 1
        assert w3.eth.get_block(1)["transactions"] == hashes
        assert [w3.eth.get_transaction_receipt(h)["blockNumber"] for h in hashes] == [1, 1, 1]
    finally:
        n.stop()


def test_timestamps_strictly_increase() -> None:
    n = start_node("--no-mining")
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        rpc(n.http_url, "anvil_mine", ["0x5"])     # five blocks within the same second
        for _ in range(3):
            rpc(n.http_url, "evm_mine")
        stamps = [w3.eth.get_block(i)["timestamp"] for i in range(w3.eth.block_number + 1)]
        assert len(stamps) == 9
        assert all(a < b for a, b in zip(stamps, stamps[1:])), stamps
    finally:
        n.stop()
