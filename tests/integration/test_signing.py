"""Signing, transaction types, fee and state queries, overrides, block tags and polling filters."""
from __future__ import annotations

import json
from typing import Any

import pytest
import rlp
from conftest import RunningNode
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_utils import keccak
from trie import HexaryTrie
from web3 import Web3

from helpers import A0, A1, CHAIN_ID, KEY1, deploy, deploy_token, rpc, rpc_error

SENDER1 = Account.from_key(KEY1).address
BEEF = "0x000000000000000000000000000000000000bEEF"
TYPED: dict[str, Any] = {
    "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                         {"name": "chainId", "type": "uint256"},
                         {"name": "verifyingContract", "type": "address"}],
        "Mail": [{"name": "from", "type": "address"}, {"name": "contents", "type": "string"},
                 {"name": "amount", "type": "uint256"}],
    },
    "primaryType": "Mail",
    "domain": {"name": "Wabei", "version": "1", "chainId": CHAIN_ID, "verifyingContract": BEEF},
    "message": {"from": A1, "contents": "hello", "amount": 7},
}


def balance_slot(holder: str) -> str:
    """Storage slot of `_balances[holder]` in OpenZeppelin's ERC20 (mapping at slot 0)."""
    return "0x" + keccak(encode(["address", "uint256"], [holder, 0])).hex()


# --- signing --------------------------------------------------------------------------------

def test_eth_sign_and_personal_sign_recover_to_the_account(node: RunningNode) -> None:
    data = "0x" + b"hello wabei".hex()
    sig = rpc(node.http_url, "eth_sign", [A0, data])
    assert Account.recover_message(encode_defunct(hexstr=data), signature=sig) == A0
    psig = rpc(node.http_url, "personal_sign", [data, A0])
    assert Account.recover_message(encode_defunct(hexstr=data), signature=psig) == A0
    assert psig == sig


def test_sign_typed_data_v4_recovers(node: RunningNode) -> None:
    sig = rpc(node.http_url, "eth_signTypedData_v4", [A0, TYPED])
    assert Account.recover_message(encode_typed_data(full_message=TYPED), signature=sig) == A0
    # Some wallets send the typed data as a JSON string.
    sig2 = rpc(node.http_url, "eth_signTypedData_v4", [A0, json.dumps(TYPED)])
    assert sig2 == sig


def test_sign_transaction_gives_raw_tx_that_node_accepts(node: RunningNode, w3: Web3) -> None:
    nonce = w3.eth.get_transaction_count(A0)
    tx = {"from": A0, "to": BEEF, "value": hex(12345), "gas": hex(21000), "nonce": hex(nonce),
          "maxFeePerGas": hex(100 * 10**9), "maxPriorityFeePerGas": hex(10**9)}
    raw = rpc(node.http_url, "eth_signTransaction", [tx])
    assert isinstance(raw, str) and raw.startswith("0x02")     # Anvil: the raw bytes, hex
    # Nothing was sent by signing.
    assert w3.eth.get_transaction_count(A0) == nonce
    signed = Account.recover_transaction(raw)
    assert signed == A0
    tx_hash = w3.eth.send_raw_transaction(raw)
    assert tx_hash == keccak(bytes.fromhex(raw[2:]))
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1 and receipt["to"] == BEEF


# --- transaction types ----------------------------------------------------------------------

@pytest.mark.parametrize("tx_type", [0, 1, 2])
def test_raw_transaction_types_mine_with_their_type(w3: Web3, tx_type: int) -> None:
    acct = Account.from_key(KEY1)
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    tx: dict[str, Any] = {"chainId": CHAIN_ID, "nonce": w3.eth.get_transaction_count(acct.address),
                          "to": BEEF, "value": 1, "gas": 30_000}
    if tx_type == 2:
        tx.update(maxFeePerGas=2 * base + 10**9, maxPriorityFeePerGas=10**9)
    else:
        tx["gasPrice"] = 2 * base + 10**9
    if tx_type == 1:
        tx["accessList"] = [{"address": A1, "storageKeys": ["0x" + "00" * 32]}]
    signed = acct.sign_transaction(tx)
    assert signed.raw_transaction[0] == tx_type if tx_type else signed.raw_transaction[0] >= 0xC0
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1
    assert receipt["type"] == tx_type
    fetched = w3.eth.get_transaction(receipt["transactionHash"])
    assert fetched["type"] == tx_type
    if tx_type == 1:
        assert fetched["accessList"][0]["address"] == A1
        # 21000 + 2400 per address + 1900 per storage key
        assert receipt["gasUsed"] == 21000 + 2400 + 1900


# --- fees -----------------------------------------------------------------------------------

def test_fee_history(w3: Web3) -> None:
    for _ in range(4):
        w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "to": BEEF, "value": 1}))
    latest = w3.eth.block_number
    hist = w3.eth.fee_history(4, "latest", [25, 75])
    assert hist["oldestBlock"] == latest - 3
    assert len(hist["baseFeePerGas"]) == 5          # one more: the next block's base fee
    assert len(hist["gasUsedRatio"]) == 4
    assert len(hist["reward"]) == 4 and all(len(r) == 2 for r in hist["reward"])
    for i, n in enumerate(range(latest - 3, latest + 1)):
        block = w3.eth.get_block(n)
        assert hist["baseFeePerGas"][i] == block["baseFeePerGas"]
        assert hist["gasUsedRatio"][i] == pytest.approx(block["gasUsed"] / block["gasLimit"])


def test_gas_price_and_priority_fee(w3: Web3) -> None:
    tip = w3.eth.max_priority_fee
    price = w3.eth.gas_price
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    assert tip > 0
    assert price >= base
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
        {"from": A0, "to": BEEF, "value": 1, "gasPrice": price}))
    assert receipt["status"] == 1


def test_get_block_receipts(w3: Web3) -> None:
    tx = w3.eth.send_transaction({"from": A0, "to": BEEF, "value": 1})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    for ident in (receipt["blockNumber"], receipt["blockHash"]):
        receipts = w3.eth.get_block_receipts(ident)
        assert receipts == [receipt]


# --- state queries --------------------------------------------------------------------------

def test_create_access_list_lists_token_slots(w3: Web3) -> None:
    token = deploy_token(w3)
    call = token.functions.transfer(A1, 1).build_transaction({"from": A0})
    result = w3.eth.create_access_list({"from": A0, "to": token.address, "data": call["data"]})
    entries = {e["address"]: {k.to_0x_hex() if hasattr(k, "to_0x_hex") else k for k in e["storageKeys"]}
               for e in result["accessList"]}
    assert token.address in entries
    assert {balance_slot(A0), balance_slot(A1)} <= entries[token.address]
    assert result["gasUsed"] > 21000


def test_get_proof_verifies_against_state_root(w3: Web3) -> None:
    token = deploy_token(w3)
    slot = balance_slot(A0)
    block = w3.eth.get_block("latest")
    proof = w3.eth.get_proof(token.address, [slot], block["number"])
    nodes = [bytes(n) for n in proof["accountProof"]]
    assert keccak(nodes[0]) == bytes(block["stateRoot"])
    # py-trie walks the proof itself, checking every node's hash against its parent's reference.
    account = HexaryTrie.get_from_proof(bytes(block["stateRoot"]), keccak(bytes.fromhex(token.address[2:])),
                                        [rlp.decode(n) for n in nodes])
    nonce, balance, storage_root, code_hash = rlp.decode(account)
    assert int.from_bytes(nonce, "big") == proof["nonce"] == 1
    assert int.from_bytes(balance, "big") == proof["balance"]
    assert storage_root == bytes(proof["storageHash"])
    assert code_hash == bytes(proof["codeHash"]) == keccak(bytes(w3.eth.get_code(token.address)))
    (sp,) = proof["storageProof"]
    stored = int.from_bytes(bytes(sp["value"]), "big") if isinstance(sp["value"], bytes) else sp["value"]
    assert stored == token.functions.balanceOf(A0).call()
    value = HexaryTrie.get_from_proof(storage_root, keccak(int(slot, 16).to_bytes(32, "big")),
                                      [rlp.decode(bytes(n)) for n in sp["proof"]])
    assert int.from_bytes(rlp.decode(value), "big") == stored


def test_eth_call_with_state_overrides(w3: Web3) -> None:
    # SELFBALANCE PUSH0 MSTORE PUSH1 32 PUSH0 RETURN: returns the contract's own balance.
    selfbalance = "0x475f5260205ff3"
    out = w3.eth.call({"to": BEEF}, "latest", {BEEF: {"code": selfbalance, "balance": hex(777)}})
    assert int.from_bytes(out, "big") == 777
    assert w3.eth.get_code(BEEF) == b""        # overrides do not persist

    counter = deploy(w3, "Counter")
    w3.eth.wait_for_transaction_receipt(counter.functions.increment().transact({"from": A0}))
    data = counter.encode_abi("number", [])
    slot0 = "0x" + "00" * 32
    diff = {counter.address: {"stateDiff": {slot0: "0x" + (42).to_bytes(32, "big").hex()}}}
    assert int.from_bytes(w3.eth.call({"to": counter.address, "data": data}, "latest", diff), "big") == 42
    full = {counter.address: {"state": {}}}     # `state` replaces all storage: slot 0 reads 0
    assert int.from_bytes(w3.eth.call({"to": counter.address, "data": data}, "latest", full), "big") == 0
    assert counter.functions.number().call() == 1


def test_block_tags_for_get_balance(node: RunningNode, w3: Web3) -> None:
    url = node.http_url
    fresh = Account.create().address
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "to": fresh, "value": 5}))
    before = w3.eth.block_number
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "to": fresh, "value": 6}))
    after = w3.eth.get_block(receipt["blockNumber"])

    def bal(tag: Any) -> int:
        return int(rpc(url, "eth_getBalance", [fresh, tag]), 16)

    assert bal("latest") == bal("pending") == 11
    assert bal(hex(before)) == 5
    assert bal(hex(after["number"])) == 11
    assert bal("earliest") == 0
    assert int(rpc(url, "eth_getBalance", [A0, "earliest"]), 16) == 10_000 * 10**18
    assert bal(after["hash"].to_0x_hex()) == 11
    assert bal({"blockHash": after["hash"].to_0x_hex()}) == 11
    assert bal({"blockHash": after["hash"].to_0x_hex(), "requireCanonical": True}) == 11
    assert bal({"blockNumber": hex(before)}) == 5
    for tag in ("safe", "finalized"):
        tagged = rpc(url, "eth_getBlockByNumber", [tag, False])
        assert int(tagged["number"], 16) <= after["number"]
        assert bal(tag) == bal(tagged["number"])
    err = rpc_error(url, "eth_getBalance", [fresh, {"blockHash": "0x" + "ab" * 32}])
    assert err["code"] in (-32000, -32001, -32602)
    assert rpc_error(url, "eth_getBalance", [fresh, hex(after["number"] + 1000)])["code"] in (-32000, -32001, -32602)


# --- polling filters ------------------------------------------------------------------------

def test_log_filter_changes_and_logs(node: RunningNode, w3: Web3) -> None:
    url = node.http_url
    token = deploy_token(w3)
    transfer = Web3.keccak(text="Transfer(address,address,uint256)").to_0x_hex()
    fid = rpc(url, "eth_newFilter", [{"address": token.address, "topics": [transfer], "fromBlock": "0x0"}])
    first = rpc(url, "eth_getFilterChanges", [fid])     # Anvil: the historic logs since fromBlock
    assert [int(log["data"], 16) for log in first] == [10**24]
    w3.eth.wait_for_transaction_receipt(token.functions.transfer(A1, 3).transact({"from": A0}))
    w3.eth.wait_for_transaction_receipt(token.functions.emitPing(1).transact({"from": A0}))  # other topic
    changes = rpc(url, "eth_getFilterChanges", [fid])
    assert len(changes) == 1
    assert int(changes[0]["data"], 16) == 3
    assert rpc(url, "eth_getFilterChanges", [fid]) == []
    all_logs = rpc(url, "eth_getFilterLogs", [fid])
    assert [int(log["data"], 16) for log in all_logs] == [10**24, 3]     # the mint and the transfer
    assert rpc(url, "eth_uninstallFilter", [fid]) is True
    assert rpc(url, "eth_uninstallFilter", [fid]) is False
    err = rpc_error(url, "eth_getFilterChanges", [fid])
    assert "filter not found" in err["message"].lower()


def test_log_filter_without_from_block_sees_only_new_logs(node: RunningNode, w3: Web3) -> None:
    # Anvil returns the logs from `fromBlock` on the first poll; without one a filter starts at
    # the head, while getFilterLogs still answers for the filter's whole range.
    url = node.http_url
    token = deploy_token(w3)
    fid = rpc(url, "eth_newFilter", [{"address": token.address}])
    assert rpc(url, "eth_getFilterChanges", [fid]) == []
    w3.eth.wait_for_transaction_receipt(token.functions.emitPing(9).transact({"from": A0}))
    (log,) = rpc(url, "eth_getFilterChanges", [fid])
    assert log["address"].lower() == token.address.lower()
    assert int(log["topics"][2], 16) == 9


def test_block_filter(node: RunningNode, w3: Web3) -> None:
    url = node.http_url
    fid = rpc(url, "eth_newBlockFilter")
    hashes = []
    for _ in range(2):
        r = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "to": BEEF, "value": 1}))
        hashes.append(r["blockHash"].to_0x_hex())
    assert rpc(url, "eth_getFilterChanges", [fid]) == hashes
    assert rpc(url, "eth_getFilterChanges", [fid]) == []
    assert rpc(url, "eth_uninstallFilter", [fid]) is True


def test_pending_transaction_filter(node: RunningNode, w3: Web3) -> None:
    url = node.http_url
    fid = rpc(url, "eth_newPendingTransactionFilter")
    tx = w3.eth.send_transaction({"from": A0, "to": BEEF, "value": 1})
    w3.eth.wait_for_transaction_receipt(tx)
    assert tx.to_0x_hex() in rpc(url, "eth_getFilterChanges", [fid])
    assert rpc(url, "eth_getFilterChanges", [fid]) == []
    assert rpc(url, "eth_uninstallFilter", [fid]) is True
