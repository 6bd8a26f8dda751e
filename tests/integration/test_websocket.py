"""JSON-RPC over WebSocket with web3.py's AsyncWeb3: subscriptions and ordinary calls."""
from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable

from conftest import RunningNode, start_node
from web3 import AsyncWeb3, Web3, WebSocketProvider

from helpers import A0, A1, deploy_token, rpc_raw

TIMEOUT = 10.0


def run(coro_fn: Callable[[AsyncWeb3], Awaitable[Any]], url: str) -> Any:
    """Run `coro_fn(w3)` with an AsyncWeb3 connected to `url`, with an overall deadline."""
    async def main() -> Any:
        async with AsyncWeb3(WebSocketProvider(url)) as aw3:
            return await asyncio.wait_for(coro_fn(aw3), TIMEOUT * 3)
    return asyncio.run(main())


async def next_messages(aw3: AsyncWeb3, count: int) -> list[dict[str, Any]]:
    """The next `count` subscription messages, or fail after TIMEOUT seconds."""
    out: list[dict[str, Any]] = []

    async def collect() -> None:
        async for msg in aw3.socket.process_subscriptions():
            out.append(msg)
            if len(out) == count:
                return
    await asyncio.wait_for(collect(), TIMEOUT)
    return out


async def no_message(aw3: AsyncWeb3, seconds: float) -> list[dict[str, Any]]:
    """Messages that arrive within `seconds` (the caller expects none)."""
    got: list[dict[str, Any]] = []

    async def collect() -> None:
        async for msg in aw3.socket.process_subscriptions():
            got.append(msg)
    try:
        await asyncio.wait_for(collect(), seconds)
    except asyncio.TimeoutError:
        pass
    return got


async def in_thread(fn: Callable[[], Any]) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


def test_ordinary_calls_over_websocket(node: RunningNode, w3: Web3) -> None:
    async def body(aw3: AsyncWeb3) -> tuple[int, int, int, bool]:
        return (await aw3.eth.chain_id, await aw3.eth.block_number,
                await aw3.eth.get_balance(A0), await aw3.is_connected())
    chain_id, number, balance, connected = run(body, node.ws_url)
    assert connected
    assert chain_id == 31337
    assert number == w3.eth.block_number
    assert balance == w3.eth.get_balance(A0)


def test_new_heads_subscription(node: RunningNode, w3: Web3) -> None:
    async def body(aw3: AsyncWeb3) -> tuple[str, list[dict[str, Any]], list[int]]:
        sub_id = await aw3.eth.subscribe("newHeads")
        numbers = []
        for _ in range(2):
            tx = await in_thread(lambda: w3.eth.send_transaction({"from": A0, "to": A1, "value": 1}))
            receipt = await in_thread(lambda: w3.eth.wait_for_transaction_receipt(tx))
            numbers.append(receipt["blockNumber"])
        msgs = await next_messages(aw3, 2)
        return sub_id, msgs, numbers
    sub_id, msgs, numbers = run(body, node.ws_url)
    assert [m["subscription"] for m in msgs] == [sub_id, sub_id]
    assert [m["result"]["number"] for m in msgs] == numbers
    for m, n in zip(msgs, numbers):
        assert m["result"]["hash"] == w3.eth.get_block(n)["hash"]
        assert m["result"]["parentHash"] == w3.eth.get_block(n - 1)["hash"]


def test_logs_subscription_delivers_only_matching_logs(node: RunningNode, w3: Web3) -> None:
    token = deploy_token(w3)
    decoy = deploy_token(w3)
    ping = Web3.keccak(text="Ping(address,uint256,string)").to_0x_hex()
    value_7 = "0x" + (7).to_bytes(32, "big").hex()

    def send(contract: Any, value: int) -> None:
        w3.eth.wait_for_transaction_receipt(contract.functions.emitPing(value).transact({"from": A0}))

    async def body(aw3: AsyncWeb3) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
        sub_id = await aw3.eth.subscribe("logs", {"address": token.address, "topics": [ping, None, value_7]})
        await in_thread(lambda: send(decoy, 7))      # wrong address
        await in_thread(lambda: send(token, 8))      # wrong topic
        await in_thread(lambda: send(token, 7))      # the one that matches
        msgs = await next_messages(aw3, 1)
        extra = await no_message(aw3, 1.0)
        return sub_id, msgs, extra
    sub_id, msgs, extra = run(body, node.ws_url)
    assert extra == []
    (msg,) = msgs
    assert msg["subscription"] == sub_id
    log = msg["result"]
    assert log["address"] == token.address
    assert log["topics"][0].to_0x_hex() == ping
    assert log["topics"][2].to_0x_hex() == value_7
    assert log["removed"] is False


def test_new_pending_transactions_subscription_manual_mining() -> None:
    n = start_node("--no-mining")
    try:
        hw3 = Web3(Web3.HTTPProvider(n.http_url))

        async def body(aw3: AsyncWeb3) -> tuple[str, list[dict[str, Any]], list[Any]]:
            sub_id = await aw3.eth.subscribe("newPendingTransactions")
            hashes = [await in_thread(lambda: hw3.eth.send_transaction({"from": A0, "to": A1, "value": v}))
                      for v in (1, 2)]
            return sub_id, await next_messages(aw3, 2), hashes
        sub_id, msgs, hashes = run(body, n.ws_url)
        assert [m["subscription"] for m in msgs] == [sub_id, sub_id]
        assert [m["result"] for m in msgs] == hashes
        assert hw3.eth.block_number == 0   # still pending: nothing was mined
    finally:
        n.stop()


def test_new_pending_transactions_subscription_automine(node: RunningNode, w3: Web3) -> None:
    # Anvil announces a transaction when it enters the pool, also when automine mines it at once.
    async def body(aw3: AsyncWeb3) -> tuple[list[dict[str, Any]], Any]:
        await aw3.eth.subscribe("newPendingTransactions")
        tx = await in_thread(lambda: w3.eth.send_transaction({"from": A0, "to": A1, "value": 3}))
        return await next_messages(aw3, 1), tx
    msgs, tx = run(body, node.ws_url)
    assert msgs[0]["result"] == tx


def test_unsubscribe_stops_notifications(node: RunningNode, w3: Web3) -> None:
    # A second subscription stays open so that the message stream keeps running: the test sees
    # exactly what arrives for each id.
    async def body(aw3: AsyncWeb3) -> tuple[str, str, bool, list[dict[str, Any]]]:
        dropped = await aw3.eth.subscribe("newHeads")
        kept = await aw3.eth.subscribe("newHeads")
        ok = await aw3.eth.unsubscribe(dropped)
        await in_thread(lambda: w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})))
        return dropped, kept, ok, await no_message(aw3, 1.0)
    dropped, kept, ok, msgs = run(body, node.ws_url)
    assert ok is True
    assert [m["subscription"] for m in msgs] == [kept]


def test_subscribe_over_http_is_method_not_found(node: RunningNode) -> None:
    out = rpc_raw(node.http_url, "eth_subscribe", ["newHeads"])
    assert out["error"]["code"] == -32601
    # The node keeps answering on the same transport.
    assert rpc_raw(node.http_url, "eth_chainId")["result"] == "0x7a69"


def test_every_socket_gets_each_new_head_whole(node: RunningNode, w3: Web3) -> None:
    """Header JSON is made once for all of a chain's sockets (chain/rpc/subscriptions.py); each
    socket, and each subscription on it, still gets every head, whole and right."""
    import json

    from websockets.sync.client import connect

    with connect(node.ws_url) as one, connect(node.ws_url) as two:
        subs = {}
        for ws, count in ((one, 1), (two, 3)):
            for i in range(count):
                ws.send(json.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_subscribe", "params": ["newHeads"]}))
                subs.setdefault(ws, set()).add(json.loads(ws.recv(timeout=10))["result"])
        numbers = []
        for _ in range(3):
            tx = w3.eth.send_transaction({"from": A0, "to": A1, "value": 1})
            numbers.append(w3.eth.wait_for_transaction_receipt(tx)["blockNumber"])
        for ws in (one, two):
            got = [json.loads(ws.recv(timeout=10))["params"] for _ in range(len(subs[ws]) * 3)]
            assert {p["subscription"] for p in got} == subs[ws]
            for n in numbers:
                heads = [p["result"] for p in got if int(p["result"]["number"], 16) == n]
                assert len(heads) == len(subs[ws])
                block = w3.eth.get_block(n)
                assert all(h["hash"] == block["hash"].to_0x_hex() and h["stateRoot"] == block["stateRoot"].to_0x_hex()
                           for h in heads)
