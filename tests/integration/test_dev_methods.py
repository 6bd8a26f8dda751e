"""Dev methods (evm_*, anvil_*, hardhat_*) with Anvil's semantics, each on a node of its own."""
from __future__ import annotations

import time
from typing import Any

import pytest
from conftest import RunningNode
from web3 import Web3
from web3.exceptions import Web3RPCError

from helpers import A0, A1, deploy, deploy_token, rpc, rpc_error

BEEF = "0x000000000000000000000000000000000000bEEF"
ETHER = 10**18


@pytest.fixture()
def fw3(fresh_node: RunningNode) -> Web3:
    return Web3(Web3.HTTPProvider(fresh_node.http_url))


def ts(w3: Web3, block: Any = "latest") -> int:
    return int(w3.eth.get_block(block)["timestamp"])


def send(w3: Web3, tx: dict[str, Any]) -> Any:
    return w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx), timeout=10)


def test_snapshot_and_revert_restore_state(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    token = deploy_token(fw3)
    before = {"block": fw3.eth.block_number, "time": ts(fw3), "bal0": fw3.eth.get_balance(A0),
              "bal1": fw3.eth.get_balance(A1), "nonce": fw3.eth.get_transaction_count(A0),
              "tokens": token.functions.balanceOf(A1).call()}
    snap = rpc(url, "evm_snapshot")

    send(fw3, {"from": A0, "to": A1, "value": ETHER})
    send(fw3, token.functions.transfer(A1, 5).build_transaction({"from": A0}))
    rpc(url, "evm_increaseTime", [10_000])
    rpc(url, "evm_mine")
    assert fw3.eth.block_number == before["block"] + 3

    assert rpc(url, "evm_revert", [snap]) is True
    after = {"block": fw3.eth.block_number, "time": ts(fw3), "bal0": fw3.eth.get_balance(A0),
             "bal1": fw3.eth.get_balance(A1), "nonce": fw3.eth.get_transaction_count(A0),
             "tokens": token.functions.balanceOf(A1).call()}
    assert after == before
    # The clock went back too: the next block is not 10,000 s in the future.
    rpc(url, "evm_mine")
    assert before["time"] <= ts(fw3) < before["time"] + 10_000
    # A snapshot is used up by reverting to it.
    assert rpc(url, "evm_revert", [snap]) is False


def test_nested_snapshots(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    outer = rpc(url, "evm_snapshot")
    rpc(url, "evm_mine")
    inner = rpc(url, "evm_snapshot")
    rpc(url, "evm_mine")
    assert fw3.eth.block_number == 2
    assert rpc(url, "evm_revert", [inner]) is True
    assert fw3.eth.block_number == 1
    assert rpc(url, "evm_revert", [outer]) is True
    assert fw3.eth.block_number == 0


def test_increase_time_moves_block_timestamp(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    token = deploy_token(fw3)
    # Blocks may run a second or two ahead of the wall clock (each needs a later timestamp than
    # its parent), so measure the jump against the wall clock, not against the previous block.
    rpc(url, "evm_increaseTime", [3600])
    rpc(url, "evm_mine")
    assert abs(ts(fw3) - (time.time() + 3600)) <= 3
    # What the contract sees (`block.timestamp`) in the block the node just mined.
    seen = token.functions.currentTime().call(block_identifier=fw3.eth.block_number)
    assert seen == ts(fw3)
    # Hex quantities work too.
    rpc(url, "evm_increaseTime", ["0xe10"])
    rpc(url, "evm_mine")
    assert abs(ts(fw3) - (time.time() + 7200)) <= 3


def test_set_next_block_timestamp(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    target = ts(fw3) + 100_000
    rpc(url, "evm_setNextBlockTimestamp", [target])
    receipt = send(fw3, {"from": A0, "to": A1, "value": 1})
    assert ts(fw3, receipt["blockNumber"]) == target
    rpc(url, "evm_mine")
    assert ts(fw3) > target            # time continues from there, it does not jump back
    err = rpc_error(url, "evm_setNextBlockTimestamp", [target - 10])
    assert err["code"] in (-32000, -32602)


def test_evm_mine_with_timestamp(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    target = ts(fw3) + 500
    assert rpc(url, "evm_mine", [target]) == "0x0"
    assert fw3.eth.block_number == 1
    assert ts(fw3) == target


def test_evm_mine_with_blocks_and_timestamp(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    target = ts(fw3) + 1000
    rpc(url, "evm_mine", [{"blocks": 3, "timestamp": target}])
    assert fw3.eth.block_number == 3
    stamps = [ts(fw3, n) for n in (1, 2, 3)]
    assert stamps[0] == target
    assert stamps[0] < stamps[1] < stamps[2]


@pytest.mark.parametrize("method", ["anvil_mine", "hardhat_mine"])
def test_mine_n_blocks(fresh_node: RunningNode, fw3: Web3, method: str) -> None:
    url = fresh_node.http_url
    rpc(url, method, ["0x5"])
    assert fw3.eth.block_number == 5
    rpc(url, method, ["0x3", "0x3c"])    # three more, 60 s apart
    assert fw3.eth.block_number == 8
    for n in (7, 8):
        assert 60 <= ts(fw3, n) - ts(fw3, n - 1) <= 61
    rpc(url, method)                      # no argument: one block
    assert fw3.eth.block_number == 9


@pytest.mark.parametrize("prefix", ["anvil", "hardhat"])
def test_set_balance(fresh_node: RunningNode, fw3: Web3, prefix: str) -> None:
    rpc(fresh_node.http_url, f"{prefix}_setBalance", [BEEF, hex(123 * ETHER)])
    assert fw3.eth.get_balance(BEEF) == 123 * ETHER
    rpc(fresh_node.http_url, f"{prefix}_setBalance", [A1, "0x0"])
    assert fw3.eth.get_balance(A1) == 0


@pytest.mark.parametrize("prefix", ["anvil", "hardhat"])
def test_set_code(fresh_node: RunningNode, fw3: Web3, prefix: str) -> None:
    counter = deploy(fw3, "Counter")
    runtime = fw3.eth.get_code(counter.address)
    rpc(fresh_node.http_url, f"{prefix}_setCode", [BEEF, runtime.to_0x_hex()])
    assert fw3.eth.get_code(BEEF) == runtime
    clone = fw3.eth.contract(address=BEEF, abi=counter.abi)
    send(fw3, clone.functions.increment().build_transaction({"from": A0}))
    assert clone.functions.number().call() == 1
    assert counter.functions.number().call() == 0


@pytest.mark.parametrize("prefix", ["anvil", "hardhat"])
def test_set_nonce(fresh_node: RunningNode, fw3: Web3, prefix: str) -> None:
    rpc(fresh_node.http_url, f"{prefix}_setNonce", [A1, "0x10"])
    assert fw3.eth.get_transaction_count(A1) == 16
    receipt = send(fw3, {"from": A1, "to": A0, "value": 1})
    assert fw3.eth.get_transaction(receipt["transactionHash"])["nonce"] == 16
    assert fw3.eth.get_transaction_count(A1) == 17


@pytest.mark.parametrize("prefix", ["anvil", "hardhat"])
def test_set_storage_at(fresh_node: RunningNode, fw3: Web3, prefix: str) -> None:
    counter = deploy(fw3, "Counter")
    value = "0x" + (42).to_bytes(32, "big").hex()
    rpc(fresh_node.http_url, f"{prefix}_setStorageAt", [counter.address, "0x0", value])
    assert fw3.eth.get_storage_at(counter.address, 0).to_0x_hex() == value
    assert counter.functions.number().call() == 42
    send(fw3, counter.functions.increment().build_transaction({"from": A0}))
    assert counter.functions.number().call() == 43


def test_impersonate_unfunded_address(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    with pytest.raises(Web3RPCError):
        fw3.eth.send_transaction({"from": BEEF, "to": A1, "value": 1})
    rpc(url, "anvil_setBalance", [BEEF, hex(ETHER)])
    rpc(url, "anvil_impersonateAccount", [BEEF])
    before = fw3.eth.get_balance(A1)
    receipt = send(fw3, {"from": BEEF, "to": A1, "value": 1000})
    assert receipt["status"] == 1 and receipt["from"] == BEEF
    assert fw3.eth.get_balance(A1) == before + 1000

    rpc(url, "anvil_stopImpersonatingAccount", [BEEF])
    with pytest.raises(Web3RPCError):
        fw3.eth.send_transaction({"from": BEEF, "to": A1, "value": 1})
    assert fw3.eth.get_transaction_count(BEEF) == 1


def test_impersonate_contract_address(fresh_node: RunningNode, fw3: Web3) -> None:
    # A contract cannot sign, and EIP-3607 rejects senders with code, but impersonation allows it.
    url = fresh_node.http_url
    token = deploy_token(fw3)
    counter = deploy(fw3, "Counter")
    rpc(url, "hardhat_setBalance", [token.address, hex(ETHER)])
    rpc(url, "hardhat_impersonateAccount", [token.address])
    receipt = send(fw3, counter.functions.increment().build_transaction({"from": token.address}))
    assert receipt["status"] == 1 and receipt["from"] == token.address
    assert counter.functions.number().call() == 1
    rpc(url, "hardhat_stopImpersonatingAccount", [token.address])


def test_auto_impersonate(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    someone = Web3.to_checksum_address("0x" + "ab" * 20)
    rpc(url, "anvil_setBalance", [someone, hex(ETHER)])
    rpc(url, "anvil_autoImpersonateAccount", [True])
    assert send(fw3, {"from": someone, "to": A1, "value": 1})["status"] == 1
    rpc(url, "anvil_autoImpersonateAccount", [False])
    with pytest.raises(Web3RPCError):
        fw3.eth.send_transaction({"from": someone, "to": A1, "value": 1})


def test_set_coinbase(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    rpc(url, "anvil_setCoinbase", [BEEF])
    assert rpc(url, "eth_coinbase").lower() == BEEF.lower()
    receipt = send(fw3, {"from": A0, "to": A1, "value": 1, "maxPriorityFeePerGas": 10**9,
                         "maxFeePerGas": 10 * 10**9})
    block = fw3.eth.get_block(receipt["blockNumber"])
    assert block["miner"] == BEEF
    # The priority fee went to the new coinbase.
    assert fw3.eth.get_balance(BEEF) == receipt["gasUsed"] * (receipt["effectiveGasPrice"] - block["baseFeePerGas"])


def test_set_automine_off_then_mine(fresh_node: RunningNode, fw3: Web3) -> None:
    url = fresh_node.http_url
    assert rpc(url, "anvil_getAutomine") is True
    rpc(url, "evm_setAutomine", [False])
    assert rpc(url, "anvil_getAutomine") is False
    h1 = fw3.eth.send_transaction({"from": A0, "to": A1, "value": 1})
    h2 = fw3.eth.send_transaction({"from": A0, "to": A1, "value": 2})
    assert fw3.eth.block_number == 0
    assert rpc(url, "txpool_status")["pending"] == "0x2"
    rpc(url, "evm_mine")
    assert fw3.eth.block_number == 1
    assert fw3.eth.get_block(1)["transactions"] == [h1, h2]
    rpc(url, "evm_setAutomine", [True])
    assert send(fw3, {"from": A0, "to": A1, "value": 3})["blockNumber"] == 2
