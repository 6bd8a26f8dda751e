"""The node's seams: several chains in one process, routes added by plugins, rewind announcements."""
from __future__ import annotations

from typing import Iterator, Sequence

import pytest
import requests
from aiohttp import web
from web3 import Web3

from chain.api.chain import Chain
from chain.api.events import Rewound
from chain.config import ChainConfig, NodeConfig
from tests.inprocess import NodeThread
from tests.integration.helpers import A0, A1, deploy_token


class HelloPlugin:
    """A plugin serving one page that reads the chains it was given."""

    def add_routes(self, app: web.Application, chains: Sequence[Chain]) -> None:
        async def hello(_request: web.Request) -> web.Response:
            return web.json_response({"chains": [c.chain_id for c in chains]})
        app.router.add_get("/hello", hello)


@pytest.fixture()
def thread() -> Iterator[NodeThread]:
    t = NodeThread()
    yield t
    t.close()


def test_two_chains_with_different_ids_in_one_node(thread: NodeThread) -> None:
    handle = thread.start(NodeConfig.test(ChainConfig(chain_id=4242)), plugins=[HelloPlugin()])
    default = Web3(Web3.HTTPProvider(handle.http_url))
    by_path = Web3(Web3.HTTPProvider(handle.url_of(31337)))
    second = Web3(Web3.HTTPProvider(handle.url_of(4242)))
    assert handle.url_of(4242).endswith("/chains/4242")
    assert default.eth.chain_id == by_path.eth.chain_id == 31337
    assert second.eth.chain_id == 4242

    token = deploy_token(second)
    token.functions.transfer(A1, 9).transact({"from": A0})
    assert second.eth.block_number == 2
    assert default.eth.block_number == 0                     # the chains share nothing
    assert default.eth.get_code(token.address) == b""
    assert token.functions.balanceOf(A1).call() == 9
    # A transaction signed for one chain is refused by the other (EIP-155).
    signed = second.eth.account.sign_transaction(
        {"chainId": 4242, "nonce": 2, "to": A1, "value": 1, "gas": 21_000, "gasPrice": 10**10},
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    err = default.provider.make_request("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])  # type: ignore[arg-type]
    assert "invalid chain id for signer: have 4242, want 31337" in err["error"]["message"]
    assert requests.get(handle.http_url + "/hello", timeout=10).json() == {"chains": [31337, 4242]}


def test_a_node_refuses_two_chains_with_one_id() -> None:
    with pytest.raises(ValueError, match="chain ids must differ"):
        NodeConfig.test(ChainConfig(chain_id=31337))


def test_revert_is_announced_to_every_rewind_listener(thread: NodeThread) -> None:
    handle = thread.start(NodeConfig.test())
    heard: list[Rewound] = []
    also: list[int] = []
    thread.call(lambda: handle.chain.events.rewound.subscribe(heard.append))
    thread.call(lambda: handle.chain.events.rewound.subscribe(lambda r: also.append(r.number)))
    w3 = Web3(Web3.HTTPProvider(handle.http_url))
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    for _ in range(3):
        w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})
    assert w3.provider.make_request("evm_revert", [snapshot])["result"] is True  # type: ignore[arg-type]
    thread.call(lambda: None)  # listeners run after the step that published: let the loop turn
    assert [(r.number, r.old_number) for r in heard] == [(0, 3)]
    assert heard[0].head_hash == bytes(w3.eth.get_block(0)["hash"])
    assert also == [0]


def test_a_failing_block_listener_does_not_break_mining(thread: NodeThread) -> None:
    handle = thread.start(NodeConfig.test())

    def broken(_block: object) -> None:
        raise RuntimeError("listener bug")
    thread.call(lambda: handle.chain.events.new_blocks.subscribe(broken))
    w3 = Web3(Web3.HTTPProvider(handle.http_url))
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "to": A1, "value": 1}))
    assert receipt["status"] == 1 and w3.eth.block_number == 1
