"""The dev methods that change what the next block looks like, or who the chain is, checked
through web3.py on mined blocks: gas limit, base fee, prevrandao, timestamps, chain id; and the
account reads viem and geth clients use (eth_getAccount, eth_getRawTransactionByHash)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3

from conftest import ROOT, RunningNode, start_node
from helpers import A0, A1, KEY0, rpc, rpc_error

GWEI = 10**9
OTHER = "0x000000000000000000000000000000000000bEEF"
CHAINID_CODE = "0x4660005260206000f3"  # CHAINID PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
TYPED = {
    "types": {"EIP712Domain": [{"name": "name", "type": "string"}],
              "Mail": [{"name": "contents", "type": "string"}, {"name": "n", "type": "uint256"}]},
    "primaryType": "Mail", "domain": {"name": "Wabei"}, "message": {"contents": "hi", "n": 7},
}


def _w3(n: RunningNode) -> Web3:
    return Web3(Web3.HTTPProvider(n.http_url))


def test_block_gas_limit_applies_to_mined_blocks_and_admission(fresh_node: RunningNode) -> None:
    w3, url = _w3(fresh_node), fresh_node.http_url
    assert rpc(url, "evm_setBlockGasLimit", [hex(60_000_000)]) is True  # double: past 1/1024
    w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})
    assert w3.eth.get_block("latest")["gasLimit"] == 60_000_000
    rpc(url, "anvil_setBlockGasLimit", [hex(100_000)])
    rpc(url, "evm_mine")
    rpc(url, "evm_mine")
    assert [w3.eth.get_block(n)["gasLimit"] for n in (2, 3)] == [100_000, 100_000]
    assert rpc(url, "anvil_nodeInfo")["environment"]["gasLimit"] == "100000"
    err = rpc_error(url, "eth_sendTransaction", [{"from": A0, "to": A1, "gas": hex(200_000)}])
    assert "exceeds block gas limit" in err["message"], err
    for bad in ("0x0", hex(4_999)):
        assert rpc_error(url, "evm_setBlockGasLimit", [bad])["code"] == -32602
    assert w3.eth.get_block("latest")["gasLimit"] == 100_000


def test_next_block_base_fee_override(fresh_node: RunningNode) -> None:
    w3, url = _w3(fresh_node), fresh_node.http_url
    rpc(url, "anvil_setNextBlockBaseFeePerGas", [hex(50 * GWEI)])
    assert w3.eth.gas_price == 51 * GWEI
    cheap = Account.sign_transaction({"to": A1, "value": 1, "gas": 21_000, "maxFeePerGas": 10 * GWEI,
                                      "maxPriorityFeePerGas": 1, "nonce": 0, "chainId": 31337}, KEY0)
    err = rpc_error(url, "eth_sendRawTransaction", ["0x" + cheap.raw_transaction.hex().removeprefix("0x")])
    assert "max fee per gas less than block base fee" in err["message"], err
    tx = w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})
    receipt = w3.eth.get_transaction_receipt(tx)
    assert w3.eth.get_block(receipt["blockNumber"])["baseFeePerGas"] == 50 * GWEI
    assert receipt["effectiveGasPrice"] >= 50 * GWEI
    rpc(url, "evm_mine")  # EIP-1559 again from the overridden parent: a 21,000-gas block of 30M
    parent = w3.eth.get_block(receipt["blockNumber"])
    target = parent["gasLimit"] // 2
    expected = 50 * GWEI - 50 * GWEI * (target - parent["gasUsed"]) // target // 8
    assert w3.eth.get_block("latest")["baseFeePerGas"] == expected
    trace = rpc(url, "debug_traceTransaction", [tx.hex() if tx.hex().startswith("0x") else "0x" + tx.hex(),
                                                {"tracer": "callTracer"}])
    assert trace["to"].lower() == A1.lower()  # the replay uses the stored (overridden) base fee


def test_prev_randao_for_the_next_block_only(fresh_node: RunningNode) -> None:
    w3, url = _w3(fresh_node), fresh_node.http_url
    value = "0x" + "ab" * 32
    rpc(url, "hardhat_setPrevRandao", [value])
    rpc(url, "evm_mine")
    rpc(url, "evm_mine")
    assert w3.eth.get_block(1)["mixHash"].hex().removeprefix("0x") == "ab" * 32
    assert w3.eth.get_block(2)["mixHash"].hex().removeprefix("0x") != "ab" * 32
    assert rpc_error(url, "hardhat_setPrevRandao", ["0x1234"])["code"] == -32602
    assert rpc_raw_code(url, "anvil_setPrevRandao") == -32601  # a Hardhat method only


def rpc_raw_code(url: str, method: str) -> int:
    from helpers import rpc_raw
    return int(rpc_raw(url, method, [])["error"]["code"])


def test_timestamps_set_time_and_interval(fresh_node: RunningNode) -> None:
    w3, url = _w3(fresh_node), fresh_node.http_url
    rpc(url, "anvil_setBlockTimestampInterval", ["0x64"])
    start = w3.eth.get_block("latest")["timestamp"]
    rpc(url, "evm_mine")
    rpc(url, "anvil_mine", ["0x1"])
    assert w3.eth.get_block("latest")["timestamp"] == start + 200
    assert rpc(url, "anvil_removeBlockTimestampInterval") is True
    assert rpc(url, "anvil_removeBlockTimestampInterval") is False
    assert rpc_error(url, "anvil_setBlockTimestampInterval", ["0x0"])["code"] == -32602
    target = int(time.time()) + 10**6
    moved = rpc(url, "evm_setTime", [hex(target)])
    assert abs(moved - 10**6) < 30
    rpc(url, "evm_mine")
    assert abs(w3.eth.get_block("latest")["timestamp"] - target) < 30
    head = w3.eth.get_block("latest")["timestamp"]
    assert rpc(url, "anvil_setTime", [hex(target - 10**7)]) == 0  # back in time: moved 0 forward
    rpc(url, "evm_mine")
    assert w3.eth.get_block("latest")["timestamp"] == head + 1  # never before its parent
    assert rpc(url, "anvil_getIntervalMining") is None
    rpc(url, "anvil_setIntervalMining", ["0x3c"])
    assert rpc(url, "anvil_getIntervalMining") == 60
    rpc(url, "anvil_setIntervalMining", ["0x0"])
    assert rpc(url, "anvil_getIntervalMining") is None


def test_set_chain_id_changes_signing_admission_and_chainid(fresh_node: RunningNode) -> None:
    w3, url = _w3(fresh_node), fresh_node.http_url
    stale = Account.sign_transaction({"to": A1, "value": 1, "gas": 21_000, "maxFeePerGas": 10 * GWEI,
                                      "maxPriorityFeePerGas": GWEI, "nonce": 0, "chainId": 31337}, KEY0)
    rpc(url, "evm_setAutomine", [False])
    pooled = rpc(url, "eth_sendRawTransaction", ["0x" + stale.raw_transaction.hex().removeprefix("0x")])
    rpc(url, "anvil_setChainId", [hex(1234)])
    assert rpc(url, "txpool_status")["pending"] == "0x0", "a pooled tx signed for 31337 was kept"
    assert rpc(url, "eth_getTransactionByHash", [pooled]) is None
    rpc(url, "evm_setAutomine", [True])
    assert w3.eth.chain_id == 1234 and rpc(url, "net_version") == "1234"
    err = rpc_error(url, "eth_sendRawTransaction", ["0x" + stale.raw_transaction.hex().removeprefix("0x")])
    assert "chain" in err["message"].lower(), err
    tx = w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})
    assert w3.eth.get_transaction(tx)["chainId"] == 1234
    fresh = Account.sign_transaction({"to": A1, "value": 1, "gas": 21_000, "maxFeePerGas": 10 * GWEI,
                                      "maxPriorityFeePerGas": GWEI, "nonce": 1, "chainId": 1234}, KEY0)
    assert w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(fresh.raw_transaction))["status"] == 1
    rpc(url, "anvil_setCode", [OTHER, CHAINID_CODE])
    assert int(rpc(url, "eth_call", [{"to": OTHER}, "latest"]), 16) == 1234
    assert rpc(url, "anvil_metadata")["chainId"] == 1234


def test_set_chain_id_is_refused_on_a_stored_chain(tmp_path: Path) -> None:
    n = start_node("--data-dir", str(tmp_path / "chain"))
    try:
        err = rpc_error(n.http_url, "anvil_setChainId", ["0x5"])
        assert err["code"] == -32602 and "--data-dir" in err["message"], err
        assert rpc(n.http_url, "eth_chainId") == hex(31337)
    finally:
        n.stop()


def test_get_account_matches_the_single_field_reads(fresh_node: RunningNode) -> None:
    w3, url = _w3(fresh_node), fresh_node.http_url
    rpc(url, "anvil_setCode", [OTHER, "0x6001600055"])
    rpc(url, "anvil_setStorageAt", [OTHER, "0x3", "0x" + "00" * 31 + "09"])
    rpc(url, "anvil_setNonce", [OTHER, "0x4"])
    rpc(url, "anvil_setBalance", [OTHER, hex(12345)])
    w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})
    for address in (OTHER, A0, "0x00000000000000000000000000000000DeaDBeef"):
        for block in ("latest", "0x0"):
            account = rpc(url, "eth_getAccount", [address, block])
            proof = rpc(url, "eth_getProof", [address, [], block])
            assert set(account) == {"codeHash", "storageRoot", "balance", "nonce"}
            assert account["balance"] == rpc(url, "eth_getBalance", [address, block])
            assert account["nonce"] == rpc(url, "eth_getTransactionCount", [address, block])
            code = bytes.fromhex(rpc(url, "eth_getCode", [address, block])[2:])
            assert account["codeHash"] == "0x" + Web3.keccak(code).hex().removeprefix("0x")
            assert account["storageRoot"] == proof["storageHash"]
            assert account["codeHash"] == proof["codeHash"]
    assert rpc(url, "eth_getAccount", [OTHER, "latest"])["storageRoot"] != rpc(
        url, "eth_getAccount", [A1, "latest"])["storageRoot"]


def test_raw_transaction_typed_data_v3_and_request_accounts(fresh_node: RunningNode) -> None:
    w3, url = _w3(fresh_node), fresh_node.http_url
    signed = Account.sign_transaction({"to": A1, "value": 1, "gas": 21_000, "maxFeePerGas": 10 * GWEI,
                                       "maxPriorityFeePerGas": GWEI, "nonce": 0, "chainId": 31337}, KEY0)
    tx = w3.eth.send_raw_transaction(signed.raw_transaction)
    raw = rpc(url, "eth_getRawTransactionByHash", ["0x" + tx.hex().removeprefix("0x")])
    assert raw == "0x" + signed.raw_transaction.hex().removeprefix("0x")
    assert rpc(url, "eth_getRawTransactionByHash", ["0x" + "00" * 32]) == "0x"
    v3 = rpc(url, "eth_signTypedData_v3", [A0, TYPED])
    assert v3 == rpc(url, "eth_signTypedData_v4", [A0, TYPED])
    expected = Account.sign_message(encode_typed_data(full_message=TYPED), KEY0).signature
    assert v3 == "0x" + bytes(expected).hex()
    with_array = {**TYPED, "types": {**TYPED["types"], "Mail": [{"name": "to", "type": "address[]"}]},
                  "message": {"to": [A1]}}
    err = rpc_error(url, "eth_signTypedData_v3", [A0, with_array])
    assert err["code"] == -32602 and "eth_signTypedData_v4" in err["message"]
    assert rpc(url, "eth_requestAccounts") == rpc(url, "eth_accounts")


def test_set_logging_enabled_silences_the_request_log() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "chain.cli", "node", "--port", "0", "--in-memory"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={"PYTHONUNBUFFERED": "1", "PATH": "/usr/bin:/bin"})
    assert proc.stdout is not None
    try:
        port = None
        for line in proc.stdout:
            if line.startswith("Listening on "):
                port = int(line.rsplit(":", 1)[1])
                break
        assert port is not None
        url = f"http://127.0.0.1:{port}"
        rpc(url, "eth_blockNumber")
        rpc(url, "anvil_setLoggingEnabled", [False])
        rpc(url, "eth_getBalance", [A0, "latest"])
        rpc(url, "eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}])
        rpc(url, "hardhat_setLoggingEnabled", [True])
        rpc(url, "net_version")
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    logged = [line.strip() for line in out.splitlines()]
    assert "eth_blockNumber" in logged and "net_version" in logged
    assert "eth_getBalance" not in logged and "eth_sendTransaction" not in logged
    assert not any(line.startswith("Transaction:") for line in logged)
