"""A node on py-trie (WABEI_PURE_TRIE=1) follows a node on the compiled trie and answers
eth_getProof byte for byte as it does, at every block, over HTTP.

The leader writes its state with wabei_trie; the follower re-executes each block with py-trie;
each serves proofs from its own database. Any difference in the nodes either one wrote shows up
as a different proof (or root).
"""
from __future__ import annotations

import time
from typing import Any, Iterator

import pytest
from eth_hash.auto import keccak
from web3 import Web3
from web3.types import Wei

from chain.backend.compiled_state import CompiledTrieAccountDB
from chain.backend.compiled_trie import PURE_TRIE_ENV, compiled_trie_installed
from chain.config import NodeConfig
from chain.node import NodeHandle
from tests.inprocess import NodeThread
from tests.integration.helpers import A0, A1, deploy_token, rpc

pytestmark = pytest.mark.skipif(not compiled_trie_installed(), reason="wabei_trie is not built (no Rust at set-up)")


EMPTY = Web3.to_checksum_address("0x" + "ab" * 20)


def _account_db(handle: NodeHandle) -> type:
    return handle.chain.spec.vm_class.get_state_class().account_db_class


@pytest.fixture()
def pair(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[NodeHandle, NodeHandle]]:
    thread = NodeThread()
    try:
        monkeypatch.delenv(PURE_TRIE_ENV, raising=False)
        leader = thread.start(NodeConfig.test())
        monkeypatch.setenv(PURE_TRIE_ENV, "1")
        follower = thread.start_follower(leader.chain)
        monkeypatch.delenv(PURE_TRIE_ENV)
        assert issubclass(_account_db(leader), CompiledTrieAccountDB)
        assert not issubclass(_account_db(follower), CompiledTrieAccountDB)
        yield leader, follower
    finally:
        thread.close()


def _balance_slot(holder: str) -> str:
    """OpenZeppelin ERC20's `_balances` mapping is its first variable: keccak(holder . slot 0)."""
    return "0x" + keccak(bytes.fromhex(holder[2:]).rjust(32, b"\0") + bytes(32)).hex()


def _proofs(url: str, block: int, token: str) -> list[Any]:
    slots = ["0x0", "0x2", _balance_slot(A0), _balance_slot(A1)]
    return [rpc(url, "eth_getProof", [address, slots if address == token else [], hex(block)])
            for address in (A0, A1, token, EMPTY)]


def test_a_py_trie_follower_serves_the_same_proofs(pair: tuple[NodeHandle, NodeHandle]) -> None:
    leader, follower = pair
    lw = Web3(Web3.HTTPProvider(leader.http_url))
    token = deploy_token(lw)
    for amount in (1, 250, 10**18):
        token.functions.transfer(A1, amount).transact({"from": A0})
    token.functions.transfer(A0, 251).transact({"from": A1})
    lw.eth.send_transaction({"from": A0, "to": EMPTY, "value": Wei(0)})  # an empty account: not kept
    head = lw.eth.block_number
    deadline = time.monotonic() + 10
    while rpc(follower.http_url, "eth_blockNumber") != hex(head) and time.monotonic() < deadline:
        time.sleep(0.05)
    for n in range(head + 1):
        ours, theirs = _proofs(leader.http_url, n, token.address), _proofs(follower.http_url, n, token.address)
        assert theirs == ours, f"block {n}"
    last = _proofs(leader.http_url, head, token.address)[2]
    assert [int(s["value"], 16) for s in last["storageProof"]][2:] == [10**24 - 10**18, 10**18]
