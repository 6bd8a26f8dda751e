"""A second node re-executes every block the first one made, from the block's body alone.

The follower (chain/engines/follow.py) receives each block as its network encoding, with no
receipts and no senders, imports it strictly and commits it; after a session of ERC-20 traffic,
CREATE2, reverts, CNS writes and EIP-7702 delegations both nodes must have the same head hash and
state root, and the follower must have refused nothing. Clients talk to both nodes over HTTP.
"""
from __future__ import annotations

from typing import Iterator

import pytest
from web3 import Web3

from chain.config import NodeConfig
from chain.node import NodeHandle
from cns.client import CnsClient
from tests.inprocess import NodeThread
from tests.integration.helpers import A0, A1, deploy, deploy_token, dev_account

# A factory whose runtime CREATE2s its calldata as init code with salt 42 and returns the address:
# CALLDATACOPY(0, 0, size); CREATE2(0, 0, size, 42); MSTORE(0, addr); RETURN(0, 32).
FACTORY_RUNTIME = bytes.fromhex("365f5f37602a365f5ff55f5260205ff3")
# Its init code: CODECOPY(0, 9, 16); RETURN(0, 16): the 9 bytes before the runtime copy it out.
FACTORY_INIT = bytes.fromhex("60108060095f395ff3") + FACTORY_RUNTIME
# A child whose init code returns the runtime PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN.
CHILD_INIT = bytes.fromhex("600a600c600039600a6000f3" + "602a60005260206000f3")


@pytest.fixture()
def pair() -> Iterator[tuple[NodeThread, NodeHandle, NodeHandle]]:
    thread = NodeThread()
    try:
        leader = thread.start(NodeConfig.test())
        follower = thread.start_follower(leader.chain)
        yield thread, leader, follower
    finally:
        thread.close()


def test_follower_imports_every_block_and_ends_identical(pair: tuple[NodeThread, NodeHandle, NodeHandle]) -> None:
    thread, leader, follower = pair
    lw, fw = Web3(Web3.HTTPProvider(leader.http_url)), Web3(Web3.HTTPProvider(follower.http_url))

    token = deploy_token(lw)
    token.functions.transfer(A1, 1000).transact({"from": A0})
    # Sent to the follower: admitted there, forwarded to the leader, imported back.
    fw_token = fw.eth.contract(address=token.address, abi=token.abi)
    tx = fw_token.functions.transfer(A1, 5).transact({"from": A0})
    assert fw.eth.get_transaction_receipt(tx)["status"] == 1
    # A transaction that reverts is in a block too (status 0), with a fixed gas so it is sent.
    failed = token.functions.transfer(A0, 10**30).transact({"from": A1, "gas": 100_000})
    assert lw.eth.get_transaction_receipt(failed)["status"] == 0

    # CREATE2 through a factory.
    created = lw.eth.wait_for_transaction_receipt(lw.eth.send_transaction({"from": A0, "data": FACTORY_INIT}))
    factory = created["contractAddress"]
    assert lw.eth.get_code(factory) == FACTORY_RUNTIME
    lw.eth.send_transaction({"from": A0, "to": factory, "data": CHILD_INIT, "gas": 200_000})
    child = Web3.keccak(b"\xff" + bytes.fromhex(factory[2:]) + (42).to_bytes(32, "big") + Web3.keccak(CHILD_INIT))[12:]
    assert lw.eth.get_code(Web3.to_checksum_address(child)) == bytes.fromhex("602a60005260206000f3")
    deploy(lw, "Counter")  # and a plain CREATE

    # A CNS write: the FISCO interface at 0x…1004.
    CnsClient(lw).register("FollowedToken", "1.0.0", token.address, token.abi)

    # EIP-7702: an account delegates its code to the token contract (a type-4 transaction).
    delegator = dev_account(5)
    nonce = lw.eth.get_transaction_count(delegator.address)
    auth = delegator.sign_authorization({"chainId": 31337, "address": token.address, "nonce": nonce + 1})
    base = lw.eth.get_block("latest")["baseFeePerGas"]
    signed = delegator.sign_transaction({
        "type": 4, "chainId": 31337, "nonce": nonce, "to": A1, "value": 1, "gas": 100_000,
        "maxFeePerGas": 2 * base + 10**9, "maxPriorityFeePerGas": 10**9, "data": b"",
        "authorizationList": [auth],
    })
    receipt = lw.eth.wait_for_transaction_receipt(lw.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1
    assert lw.eth.get_code(delegator.address) == b"\xef\x01\x00" + bytes.fromhex(token.address[2:])

    head = lw.eth.get_block("latest")
    assert head["number"] >= 8
    followed = fw.eth.get_block("latest")
    assert followed["hash"] == head["hash"]
    assert followed["stateRoot"] == head["stateRoot"]
    assert fw.eth.get_code(delegator.address) == lw.eth.get_code(delegator.address)
    assert fw.eth.get_code(Web3.to_checksum_address(child)) == lw.eth.get_code(Web3.to_checksum_address(child))
    assert fw_token.functions.balanceOf(A1).call() == token.functions.balanceOf(A1).call() == 1005
    for n in range(head["number"] + 1):
        assert fw.eth.get_block(n)["hash"] == lw.eth.get_block(n)["hash"]
    engine = follower.chain.engine
    assert getattr(engine, "refused") == []
    # The follower has no dev powers.
    err = fw.provider.make_request("evm_snapshot", [])  # type: ignore[arg-type]
    assert err["error"]["code"] == -32601
