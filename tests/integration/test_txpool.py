"""The transaction pool: queued future nonces, fee-bump replacement, txpool_* shapes, dropping."""
from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import RunningNode, start_node
from eth_account import Account
from web3 import Web3
from web3.exceptions import TransactionNotFound

from helpers import A1, KEY0, KEY1, rpc, rpc_error, sign_tx

SENDER = Account.from_key(KEY1).address
GWEI = 10**9


def by_address(group: dict[str, Any], address: str) -> dict[str, Any]:
    """The entry for `address` in a txpool map (geth keys it checksummed; accept any case)."""
    matches = {k: v for k, v in group.items() if k.lower() == address.lower()}
    assert len(matches) == 1, f"{address} not in {list(group)}"
    return next(iter(matches.values()))


@pytest.fixture()
def manual_node() -> Any:
    n = start_node("--no-mining")
    yield n
    n.stop()


def test_future_nonce_waits_until_gap_is_filled(fresh_node: RunningNode) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    nonce = w3.eth.get_transaction_count(SENDER)
    block = w3.eth.block_number
    later = w3.eth.send_raw_transaction(sign_tx(w3, KEY1, nonce=nonce + 1))

    assert rpc(fresh_node.http_url, "txpool_status") == {"pending": "0x0", "queued": "0x1"}
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction_receipt(later)
    assert w3.eth.block_number == block
    assert w3.eth.get_transaction_count(SENDER) == nonce
    queued = by_address(rpc(fresh_node.http_url, "txpool_content")["queued"], SENDER)
    assert list(queued) == [str(nonce + 1)]

    first = w3.eth.send_raw_transaction(sign_tx(w3, KEY1, nonce=nonce))
    r1 = w3.eth.wait_for_transaction_receipt(first, timeout=10)
    r2 = w3.eth.wait_for_transaction_receipt(later, timeout=10)
    assert (r1["status"], r2["status"]) == (1, 1)
    assert r1["blockNumber"] <= r2["blockNumber"]
    assert w3.eth.get_transaction_count(SENDER) == nonce + 2
    assert rpc(fresh_node.http_url, "txpool_status") == {"pending": "0x0", "queued": "0x0"}


def test_replacement_needs_a_fee_bump(manual_node: RunningNode) -> None:
    url = manual_node.http_url
    w3 = Web3(Web3.HTTPProvider(url))
    fee, tip = 10 * GWEI, 2 * GWEI
    original = w3.eth.send_raw_transaction(
        sign_tx(w3, KEY1, nonce=0, value=1, maxFeePerGas=fee, maxPriorityFeePerGas=tip))

    lower = sign_tx(w3, KEY1, nonce=0, value=2, maxFeePerGas=fee - 1, maxPriorityFeePerGas=tip - 1)
    err = rpc_error(url, "eth_sendRawTransaction", ["0x" + lower.hex()])
    assert err["code"] == -32000
    assert "replacement transaction underpriced" in err["message"]

    same = sign_tx(w3, KEY1, nonce=0, value=3, maxFeePerGas=fee, maxPriorityFeePerGas=tip)
    err = rpc_error(url, "eth_sendRawTransaction", ["0x" + same.hex()])
    assert "replacement transaction underpriced" in err["message"]

    bumped = w3.eth.send_raw_transaction(
        sign_tx(w3, KEY1, nonce=0, value=4, maxFeePerGas=fee * 11 // 10, maxPriorityFeePerGas=tip * 11 // 10))
    assert rpc(url, "txpool_status") == {"pending": "0x1", "queued": "0x0"}
    pending = by_address(rpc(url, "txpool_content")["pending"], SENDER)
    assert pending["0"]["hash"] == bumped.to_0x_hex()

    rpc(url, "evm_mine")
    block = w3.eth.get_block(1)
    assert [h for h in block["transactions"]] == [bumped]
    assert w3.eth.get_transaction_receipt(bumped)["status"] == 1
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction(original)


def test_txpool_content_and_inspect_shapes(manual_node: RunningNode) -> None:
    url = manual_node.http_url
    w3 = Web3(Web3.HTTPProvider(url))
    fee = 7 * GWEI
    h0 = w3.eth.send_raw_transaction(sign_tx(w3, KEY1, nonce=0, value=5, maxFeePerGas=fee))
    h2 = w3.eth.send_raw_transaction(sign_tx(w3, KEY1, nonce=2, value=6, maxFeePerGas=fee))

    assert rpc(url, "txpool_status") == {"pending": "0x1", "queued": "0x1"}
    content = rpc(url, "txpool_content")
    assert set(content) == {"pending", "queued"}
    pending = by_address(content["pending"], SENDER)["0"]
    queued = by_address(content["queued"], SENDER)["2"]
    assert pending["hash"] == h0.to_0x_hex()
    assert queued["hash"] == h2.to_0x_hex()
    assert pending["from"].lower() == SENDER.lower()
    assert pending["to"].lower() == A1.lower()
    assert (pending["nonce"], pending["value"], pending["gas"]) == ("0x0", "0x5", hex(21000))
    assert pending["type"] == "0x2"
    assert pending["blockHash"] is None and pending["blockNumber"] is None

    inspect = rpc(url, "txpool_inspect")
    line = by_address(inspect["pending"], SENDER)["0"]
    # geth/Anvil: "<to>: <value> wei + <gas> gas × <price> wei"
    m = re.fullmatch(r"(0x[0-9a-fA-F]{40}): (\d+) wei \+ (\d+) gas × (\d+) wei", line)
    assert m, line
    assert m.group(1).lower() == A1.lower()
    assert (int(m.group(2)), int(m.group(3))) == (5, 21000)
    assert list(by_address(inspect["queued"], SENDER)) == ["2"]

    from_sender = rpc(url, "txpool_contentFrom", [SENDER])
    assert from_sender["pending"]["0"]["hash"] == h0.to_0x_hex()
    assert from_sender["queued"]["2"]["hash"] == h2.to_0x_hex()


def test_drop_transaction(manual_node: RunningNode) -> None:
    url = manual_node.http_url
    w3 = Web3(Web3.HTTPProvider(url))
    keep = w3.eth.send_raw_transaction(sign_tx(w3, KEY0, nonce=0))
    drop = w3.eth.send_raw_transaction(sign_tx(w3, KEY1, nonce=0))
    assert rpc(url, "txpool_status")["pending"] == "0x2"
    assert w3.eth.get_transaction(drop)["hash"] == drop

    assert rpc(url, "anvil_dropTransaction", [drop.to_0x_hex()]) == drop.to_0x_hex()
    assert rpc(url, "txpool_status") == {"pending": "0x1", "queued": "0x0"}
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction(drop)
    # Dropping an unknown hash is not an error; Anvil answers null.
    assert rpc(url, "anvil_dropTransaction", [drop.to_0x_hex()]) is None

    rpc(url, "evm_mine")
    assert w3.eth.get_block(1)["transactions"] == [keep]
    assert w3.eth.get_transaction_count(SENDER) == 0
