"""Calls, estimates and access lists agree with what mining the transaction then does.

Each test asks a real node over HTTP with web3.py what a transaction will do (eth_call,
eth_estimateGas, eth_createAccessList), sends it, and checks the receipt against the answer:
EIP-7623's calldata floor, EIP-7702 authorization lists, the next block's context (number,
timestamp, base fee, coinbase), and the gas an access list reports. The contracts are a few
bytes of hand-written EVM code, spelled out where they are built.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from chain.config import NodeConfig
from tests.inprocess import NodeThread
from tests.integration.helpers import A0, A1, CHAIN_ID, deploy, dev_account

# Hardhat's answer for a type-4 call with one authorization is 21,000 + 25,000.
PER_AUTHORIZATION = 25_000


@pytest.fixture()
def w3() -> Iterator[Web3]:
    thread = NodeThread()
    handle = thread.start(NodeConfig.test())
    yield Web3(Web3.HTTPProvider(handle.http_url))
    thread.close()


def floor_gas(data: bytes) -> int:
    """EIP-7623's floor, computed here independently of the node: 21,000 + 10 per token."""
    zeros = data.count(0)
    return 21_000 + 10 * (zeros + 4 * (len(data) - zeros))


def initcode(runtime: bytes) -> bytes:
    """Initcode that returns `runtime`: CODECOPY(0, 11, len) then RETURN(0, len)."""
    n = len(runtime)
    return bytes([0x60, n, 0x80, 0x60, 0x0B, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3]) + runtime


def sale_runtime(deadline: int) -> bytes:
    """Reverts before `deadline`; else returns (block.number, block.timestamp, block.basefee)."""
    return (bytes([0x63]) + deadline.to_bytes(4, "big")      # PUSH4 deadline
            + bytes([0x42, 0x10, 0x60, 0x1B, 0x57])          # TIMESTAMP LT PUSH1 27 JUMPI
            + bytes([0x43, 0x60, 0x00, 0x52])                # NUMBER  -> mem[0]
            + bytes([0x42, 0x60, 0x20, 0x52])                # TIMESTAMP -> mem[32]
            + bytes([0x48, 0x60, 0x40, 0x52])                # BASEFEE -> mem[64]
            + bytes([0x60, 0x60, 0x60, 0x00, 0xF3])          # RETURN(0, 96)
            + bytes([0x5B, 0x60, 0x00, 0x80, 0xFD]))         # 27: JUMPDEST REVERT(0, 0)


def balance_reader_runtime(account: str) -> bytes:
    """Returns BALANCE(account): PUSH20 account BALANCE, then RETURN(0, 32)."""
    return (bytes([0x73]) + bytes.fromhex(account[2:]) + bytes([0x31])
            + bytes([0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xF3]))


def create(w3: Web3, code: bytes) -> str:
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "data": code}))
    assert receipt["status"] == 1
    return str(receipt["contractAddress"])


def words(output: bytes) -> list[int]:
    return [int.from_bytes(output[i:i + 32], "big") for i in range(0, len(output), 32)]


def fees(w3: Web3) -> dict[str, int]:
    base = int(w3.eth.get_block("latest")["baseFeePerGas"])
    return {"maxFeePerGas": 2 * base + 10**9, "maxPriorityFeePerGas": 10**9}


def sign(w3: Web3, account: LocalAccount, **fields: Any) -> bytes:
    tx = {"chainId": CHAIN_ID, "nonce": w3.eth.get_transaction_count(account.address),
          "value": 0, **fees(w3), **fields}
    raw: bytes = account.sign_transaction(tx).raw_transaction
    return raw


def _raw(w3: Web3, method: str, params: list[Any]) -> Any:
    out = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    assert "error" not in out, out
    return out["result"]


def mine_raw(w3: Web3, raw: bytes) -> Any:
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    assert receipt["gasUsed"] <= tx["gas"], "no receipt may record more gas than its limit"
    return receipt


# -- EIP-7623: the calldata floor ---------------------------------------------------------------
def test_a_limit_below_the_calldata_floor_is_refused_at_submission(w3: Web3) -> None:
    code = initcode(sale_runtime(1))
    code += b"\xfe" * (2_825 - len(code))  # 2,825 bytes, as in issue 10
    floor = floor_gas(code)
    head = w3.eth.block_number
    with pytest.raises(Web3RPCError, match=f"insufficient gas for floor data gas cost: "
                                           f"have 100000, want {floor}"):
        w3.eth.send_raw_transaction(sign(w3, dev_account(0), gas=100_000, data=code))
    assert w3.eth.block_number == head  # nothing was mined

    # The estimate covers the floor, and the receipt records exactly the floor (the
    # creation's own cost is lower), never more than the limit.
    estimate = w3.eth.estimate_gas({"from": A0, "data": code})
    assert estimate == floor
    receipt = mine_raw(w3, sign(w3, dev_account(0), gas=estimate, data=code))
    assert receipt["status"] == 1
    assert receipt["gasUsed"] == floor


def test_an_access_list_reports_the_floor_a_calldata_heavy_transfer_pays(w3: Web3) -> None:
    data = b"\x01" * 1_000  # intrinsic 37,000; floor 61,000
    call = {"from": A0, "to": A1, "data": data}
    listed = w3.eth.create_access_list(call)
    assert listed["gasUsed"] == floor_gas(data) == w3.eth.estimate_gas(call)
    receipt = mine_raw(w3, sign(w3, dev_account(0), to=A1, data=data, gas=floor_gas(data)))
    assert receipt["gasUsed"] == listed["gasUsed"]


# -- EIP-7702: authorization lists in calls and estimates ---------------------------------------
def _authorization(w3: Web3, account: LocalAccount, delegate: str, own: bool) -> dict[str, Any]:
    """`account` delegates to `delegate`; in a transaction `account` sends itself (`own`) its
    nonce has moved on by one when the authorization is processed."""
    nonce = w3.eth.get_transaction_count(account.address) + int(own)
    signed = account.sign_authorization({"chainId": CHAIN_ID, "address": delegate, "nonce": nonce})
    return {"chainId": signed.chain_id, "address": delegate, "nonce": signed.nonce,
            "yParity": signed.y_parity, "r": signed.r, "s": signed.s}


def test_an_estimate_counts_each_authorization_and_admission_accepts_it(w3: Web3) -> None:
    account = dev_account(6)  # signs the authorization; dev account 0 sends and pays
    auth = _authorization(w3, account, A1, own=False)
    call = {"from": A0, "to": A1, "type": 4, "authorizationList": [auth]}
    estimate = w3.eth.estimate_gas(call)
    assert estimate == 21_000 + PER_AUTHORIZATION
    # The authority is warm already (geth leaves it out too), so the list is empty.
    assert w3.eth.create_access_list(call)["accessList"] == []
    receipt = mine_raw(w3, sign(w3, dev_account(0), type=4, to=A1, gas=estimate,
                                authorizationList=[auth]))
    assert receipt["status"] == 1
    assert w3.eth.get_code(account.address) == b"\xef\x01\x00" + bytes.fromhex(A1[2:])


def test_a_call_runs_the_delegated_code_as_the_mined_transaction_does(w3: Web3) -> None:
    counter = deploy(w3, "Counter")
    account = dev_account(7)
    auth = _authorization(w3, account, counter.address, own=True)
    call = {"from": account.address, "to": account.address, "type": 4, "authorizationList": [auth]}
    # Without the delegation a call to an EOA returns nothing; with it, Counter's number().
    assert w3.eth.call({**call, "data": counter.encode_abi("number")}) == b"\x00" * 32
    increment = {**call, "data": counter.encode_abi("increment")}
    estimate = w3.eth.estimate_gas(increment)
    assert estimate > 21_000 + PER_AUTHORIZATION + 20_000  # the delegate's SSTORE ran
    listed = w3.eth.create_access_list(increment)
    access = [dict(e) for e in listed["accessList"]]
    gas = w3.eth.estimate_gas({**increment, "accessList": access})
    receipt = mine_raw(w3, sign(w3, account, type=4, to=account.address, gas=gas, accessList=access,
                                data=counter.encode_abi("increment"), authorizationList=[auth]))
    assert receipt["status"] == 1
    assert receipt["gasUsed"] == listed["gasUsed"]
    assert w3.eth.get_storage_at(account.address, 0) == (1).to_bytes(32, "big")


def test_send_transaction_builds_a_type_4_transaction_from_an_authorization_list(w3: Web3) -> None:
    account = dev_account(8)
    auth = _authorization(w3, account, A1, own=False)
    wire = {k: hex(v) if isinstance(v, int) else v for k, v in auth.items()}
    # Raw, so that the node fills in gas (web3.py would add its own 100,000 buffer).
    tx_hash = _raw(w3, "eth_sendTransaction", [{"from": A0, "to": A1, "authorizationList": [wire]}])
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    assert (receipt["status"], tx["type"], tx["gas"]) == (1, 4, 21_000 + PER_AUTHORIZATION)
    assert w3.eth.get_code(account.address) == b"\xef\x01\x00" + bytes.fromhex(A1[2:])


# -- the next block's context -------------------------------------------------------------------
def test_a_call_with_no_block_or_pending_sees_the_next_block(w3: Web3) -> None:
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 1_000
    sale = create(w3, initcode(sale_runtime(deadline)))
    call = {"from": A0, "to": sale}
    with pytest.raises(ContractLogicError):
        w3.eth.estimate_gas(call, "pending")  # before the deadline, in any block
    _raw(w3, "evm_setNextBlockTimestamp", [deadline])
    head = w3.eth.get_block("latest")
    next_number = head["number"] + 1

    # No block (what ethers and web3.py send for estimates) and `pending`: the next block.
    assert words(bytes.fromhex(_raw(w3, "eth_call", [{"from": A0, "to": sale}])[2:]))[:2] == [
        next_number, deadline]
    assert words(w3.eth.call(call, "pending"))[:2] == [next_number, deadline]
    # `latest`: the latest block's own context, as Anvil runs it; its time is before the deadline.
    with pytest.raises(ContractLogicError):
        w3.eth.call(call, "latest")
    # With fee fields the call sees the next block's base fee (without them it runs at 0, geth's
    # NoBaseFee, so it needs no funds for gas).
    number, timestamp, base_fee = words(w3.eth.call({**call, **fees(w3)}, "pending"))
    assert words(w3.eth.call(call, "pending"))[2] == 0

    # web3.py sends `latest` with every estimate; ethers sends no block.
    assert int(_raw(w3, "eth_estimateGas", [{"from": A0, "to": sale}]), 16) == w3.eth.estimate_gas(
        call, "pending")
    gas = w3.eth.estimate_gas(call, "pending")
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({**call, "gas": gas}))
    assert receipt["status"] == 1
    mined = w3.eth.get_block(receipt["blockNumber"])
    assert (mined["number"], mined["timestamp"], mined["baseFeePerGas"]) == (number, timestamp, base_fee)


def test_an_estimate_sees_time_travel_before_the_block_is_mined(w3: Web3) -> None:
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 500
    sale = create(w3, initcode(sale_runtime(deadline)))
    call = {"from": A0, "to": sale}
    with pytest.raises(ContractLogicError):
        w3.eth.estimate_gas(call, "pending")
    _raw(w3, "evm_increaseTime", [600])
    with pytest.raises(ContractLogicError):
        w3.eth.estimate_gas(call, "latest")  # the latest block is still before the deadline
    gas = w3.eth.estimate_gas(call, "pending")
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({**call, "gas": gas}))
    assert receipt["status"] == 1


def test_an_access_list_leaves_out_the_next_blocks_coinbase(w3: Web3) -> None:
    miner = "0x000000000000000000000000000000000000c0fE"
    reader = create(w3, initcode(balance_reader_runtime(miner)))
    _raw(w3, "anvil_setCoinbase", [miner])  # the next block's coinbase; no block mined yet
    call = {"from": A0, "to": reader}
    listed = w3.eth.create_access_list(call, "pending")
    assert listed["accessList"] == []  # the coinbase is warm in the block the call runs in
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
        {**call, "accessList": listed["accessList"], "type": 2}))
    assert w3.eth.get_block(receipt["blockNumber"])["miner"].lower() == miner.lower()
    assert receipt["gasUsed"] == listed["gasUsed"]  # intrinsic included, as the receipt counts


def test_a_pending_call_runs_after_the_pools_transactions(w3: Web3) -> None:
    counter = deploy(w3, "Counter")
    _raw(w3, "evm_setAutomine", [False])
    increment = {"from": A0, "to": counter.address, "data": counter.encode_abi("increment")}
    first = w3.eth.send_transaction({**increment, "gas": 100_000})  # waits in the pool
    assert counter.functions.number().call(block_identifier="pending") == 1
    assert counter.functions.number().call(block_identifier="latest") == 0
    # The same sender's next transaction is estimated after its first, at the next nonce.
    second = w3.eth.send_transaction({**increment, "gas": w3.eth.estimate_gas(increment, "pending")})
    assert counter.functions.number().call(block_identifier="pending") == 2
    _raw(w3, "evm_mine", [])
    for tx_hash in (first, second):
        assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
    assert counter.functions.number().call() == 2
