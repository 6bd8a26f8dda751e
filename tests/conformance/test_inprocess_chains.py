"""The conformance suite against the other ways of running a chain, all inside this process:

* a node built in process (the same composition root as `wabei node`, on a thread of its own);
* a follower that imports, from each block's encoding alone, every block a leader makes — the
  tests talk to the follower, which forwards transactions to the leader; after each test both
  must have the same head and the follower must have refused nothing;
* a second chain, with another chain id, served by the same node at /chains/<id>.
"""
from __future__ import annotations

from typing import Iterator

import pytest
from chain_conformance import ChainConformance
from web3 import Web3

from chain.config import ChainConfig, NodeConfig
from chain.node import NodeHandle
from tests.inprocess import NodeThread

SECOND_CHAIN_ID = 4242


@pytest.fixture(scope="module")
def thread() -> Iterator[NodeThread]:
    t = NodeThread()
    yield t
    t.close()


@pytest.fixture(scope="module")
def in_process(thread: NodeThread) -> NodeHandle:
    return thread.start(NodeConfig.test())


@pytest.fixture(scope="module")
def leader_and_follower(thread: NodeThread) -> tuple[NodeHandle, NodeHandle]:
    leader = thread.start(NodeConfig.test())
    return leader, thread.start_follower(leader.chain)


@pytest.fixture(scope="module")
def two_chains(thread: NodeThread) -> NodeHandle:
    return thread.start(NodeConfig.test(ChainConfig(chain_id=SECOND_CHAIN_ID)))


class TestInProcessNode(ChainConformance):
    @pytest.fixture()
    def rpc_url(self, in_process: NodeHandle) -> str:
        return in_process.http_url


class TestImportingFollower(ChainConformance):
    @pytest.fixture()
    def rpc_url(self, leader_and_follower: tuple[NodeHandle, NodeHandle],
                thread: NodeThread) -> Iterator[str]:
        leader, follower = leader_and_follower
        yield follower.http_url
        heads = thread.call(lambda: (leader.chain.reads.head.hash, follower.chain.reads.head.hash,
                                     leader.chain.backend.head_state_root,
                                     follower.chain.backend.head_state_root))
        assert heads[0] == heads[1], "the follower's head differs from the leader's"
        assert heads[2] == heads[3], "the follower's state differs from the leader's"
        assert getattr(follower.chain.engine, "refused") == []


class TestSecondChainInOneProcess(ChainConformance):
    @pytest.fixture()
    def rpc_url(self, two_chains: NodeHandle) -> str:
        return two_chains.url_of(SECOND_CHAIN_ID)

    def test_it_is_the_second_chain(self, rpc_url: str, two_chains: NodeHandle) -> None:
        assert Web3(Web3.HTTPProvider(rpc_url)).eth.chain_id == SECOND_CHAIN_ID
        assert Web3(Web3.HTTPProvider(two_chains.http_url)).eth.chain_id == 31337
