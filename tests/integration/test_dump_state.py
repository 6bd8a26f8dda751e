"""State dump and load: over RPC (anvil_dumpState/loadState) and through --dump-state/--load-state."""
from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import requests
from web3 import Web3

from conftest import start_node

A0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
A1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def rpc(url: str, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    return requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []},
                         timeout=30).json()


def _activity(w3: Web3) -> list[Any]:
    hashes = [w3.eth.send_transaction({"from": A0, "to": A1, "value": 10**18 + i}) for i in range(3)]
    return [w3.eth.get_transaction_receipt(h) for h in hashes]


def test_rpc_dump_and_load_round_trip_state_and_blocks() -> None:
    source = start_node()
    try:
        w3 = Web3(Web3.HTTPProvider(source.http_url))
        receipts = _activity(w3)
        rpc(source.http_url, "anvil_setStorageAt", [A1, "0x7", "0x" + "00" * 31 + "2a"])
        dump = rpc(source.http_url, "anvil_dumpState")["result"]
        expected = (w3.eth.block_number, w3.eth.get_block("latest").hash, w3.eth.get_balance(A1),
                    w3.eth.get_transaction_count(A0), w3.eth.get_storage_at(A1, 7))
    finally:
        source.stop()
    target = start_node()
    try:
        w3 = Web3(Web3.HTTPProvider(target.http_url))
        assert rpc(target.http_url, "anvil_loadState", [dump])["result"] is True
        got = (w3.eth.block_number, w3.eth.get_block("latest").hash, w3.eth.get_balance(A1),
               w3.eth.get_transaction_count(A0), w3.eth.get_storage_at(A1, 7))
        assert got == expected
        for r in receipts:
            assert w3.eth.get_transaction_receipt(r.transactionHash).blockHash == r.blockHash
        # and the loaded chain keeps going
        assert w3.eth.get_transaction_receipt(
            w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})).status == 1
    finally:
        target.stop()


def test_corrupt_dump_is_refused_and_changes_nothing(node: Any) -> None:
    w3 = Web3(Web3.HTTPProvider(node.http_url))
    before = (w3.eth.block_number, w3.eth.get_balance(A1))
    good = rpc(node.http_url, "anvil_dumpState")["result"]
    for bad in (good[: len(good) // 2], "0x1234", "nothex"):
        reply = rpc(node.http_url, "anvil_loadState", [bad])
        assert reply["error"]["code"] == -32602, reply
    assert (w3.eth.block_number, w3.eth.get_balance(A1)) == before


def test_sigint_writes_complete_dump_file_and_load_state_restores_it(tmp_path: Path) -> None:
    dump_file = tmp_path / "state.json"
    source = start_node("--dump-state", str(dump_file))
    w3 = Web3(Web3.HTTPProvider(source.http_url))
    receipts = _activity(w3)
    head = w3.eth.get_block("latest")
    source.process.send_signal(signal.SIGINT)
    assert source.process.wait(timeout=20) == 0
    dump = json.loads(dump_file.read_text())
    assert dump["block"]["number"] == head.number
    assert A1.lower() in dump["accounts"]

    target = start_node("--load-state", str(dump_file))
    try:
        w3 = Web3(Web3.HTTPProvider(target.http_url))
        assert w3.eth.get_block("latest").hash == head.hash
        assert w3.eth.get_transaction_receipt(receipts[-1].transactionHash).status == 1
    finally:
        target.stop()


def test_truncated_dump_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    dump_file = tmp_path / "state.json"
    dump_file.write_text('{"version": 1, "accounts": {')
    try:
        start_node("--load-state", str(dump_file), timeout=15)
    except RuntimeError as exc:
        assert "corrupt or truncated" in str(exc)
    else:
        raise AssertionError("a truncated dump file was accepted")
