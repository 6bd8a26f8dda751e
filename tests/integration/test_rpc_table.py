"""docs/rpc.md tells the truth: every row is checked against a real node, in both directions.

(a) every `supported` method answers over the wire with minimal valid params (and no error);
    eth_subscribe / eth_unsubscribe are checked over a WebSocket;
(b) every `not yet` method answers -32601 over HTTP;
(c) the `supported` rows are exactly the methods the node's dispatcher exposes, plus the
    WebSocket-only session methods.

The calls change global state (automine, interval mining, coinbase, time, snapshots), so they run
against a node of this module's own, never the session `node` other tests share.
"""
from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import websockets
from conftest import RunningNode, start_node

from chain.config import NodeConfig
from chain.node import start_node as start_in_process
from chain.rpc.dispatch import SESSION_METHODS

TABLE = Path(__file__).resolve().parents[2] / "docs" / "rpc.md"
ROW = re.compile(r"^\|\s*`([A-Za-z0-9_]+)`\s*\|\s*([^|]*?)\s*\|")
METHOD_NOT_FOUND = -32601

# Methods the dispatcher registers but that refuse every call: the table marks them `not yet`,
# with the error they answer instead of -32601. Implementing one makes this test fail, so that
# its row is updated.
# setMinGasPrice refuses as Anvil and Hardhat do on an EIP-1559 chain; setRpcUrl needs forking.
STUBS = {"anvil_setMinGasPrice": -32602, "hardhat_setMinGasPrice": -32602, "anvil_setRpcUrl": -32602}
# Run after every other method: they replace the chain the other params point into.
LAST = ("anvil_reset", "hardhat_reset")

A0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"   # dev account 0
A1 = "0x70997970C51812dc3A010C7d01b50e20d4dc79C8"   # dev account 1
OTHER = "0x000000000000000000000000000000000000bEEF"  # not a dev account
ZERO = "0x" + "00" * 20
DATA = "0x68656c6c6f"                                  # "hello"
TYPED = {
    "types": {"EIP712Domain": [{"name": "name", "type": "string"}],
              "Mail": [{"name": "contents", "type": "string"}]},
    "primaryType": "Mail", "domain": {"name": "Wabei"}, "message": {"contents": "hi"},
}


def read_table() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in TABLE.read_text().splitlines():
        if not line.startswith("| `"):
            continue
        m = ROW.match(line)
        assert m, f"unparsable table row: {line}"
        method, status = m.groups()
        assert status in ("supported", "not yet"), f"{method}: status {status!r}"
        assert method not in rows, f"{method} listed twice"
        rows[method] = status
    assert rows, "no rows found in docs/rpc.md"
    return rows


def by_status(status: str) -> list[str]:
    return sorted(m for m, s in read_table().items() if s == status)


class Rpc:
    def __init__(self, url: str) -> None:
        self.url = url
        self._id = 0

    def raw(self, method: str, params: list[Any]) -> dict[str, Any]:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}).encode()
        req = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            out: dict[str, Any] = json.loads(resp.read())
        return out

    def __call__(self, method: str, params: list[Any] | None = None) -> Any:
        resp = self.raw(method, params or [])
        assert "error" not in resp, f"{method}: {resp['error']}"
        return resp["result"]


@pytest.fixture(scope="module")
def own_node() -> Iterator[RunningNode]:
    n = start_node()
    try:
        yield n
    finally:
        n.stop()


Params = list[Any] | Callable[[], list[Any]]


def minimal_params(rpc: Rpc) -> dict[str, Params]:
    """method → params that succeed. A callable runs right before the call, for params that need
    fresh state (a snapshot id, a filter id, the current head)."""
    tx_hash = rpc("eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}])  # automine: block 1
    receipt = rpc("eth_getTransactionReceipt", [tx_hash])
    block1, block1_hash = receipt["blockNumber"], receipt["blockHash"]
    genesis_hash = rpc("eth_getBlockByNumber", ["0x0", False])["hash"]

    def next_timestamp() -> list[Any]:
        return [hex(int(rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16) + 100)]

    def later_time() -> list[Any]:
        return [hex(int(rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16) + 1000)]

    return {
        "web3_clientVersion": [],
        "web3_sha3": [DATA],
        "net_version": [],
        "net_listening": [],
        "net_peerCount": [],
        "eth_chainId": [],
        "eth_blockNumber": [],
        "eth_accounts": [],
        "eth_coinbase": [],
        "eth_mining": [],
        "eth_hashrate": [],
        "eth_syncing": [],
        "eth_protocolVersion": [],
        "eth_gasPrice": [],
        "eth_maxPriorityFeePerGas": [],
        "eth_blobBaseFee": [],
        "eth_feeHistory": ["0x1", "latest", [50]],
        "eth_getBalance": [A0, "latest"],
        "eth_getTransactionCount": [A0, "pending"],
        "eth_getCode": [A0, "latest"],
        "eth_getStorageAt": [A0, "0x0", "latest"],
        "eth_getProof": [A0, ["0x0"], "latest"],
        "eth_getBlockByNumber": ["0x0", False],
        "eth_getBlockByHash": [genesis_hash, False],
        "eth_getBlockTransactionCountByNumber": [block1],
        "eth_getBlockTransactionCountByHash": [block1_hash],
        "eth_getBlockReceipts": [block1],
        "eth_getUncleCountByBlockNumber": ["0x0"],
        "eth_getUncleCountByBlockHash": [genesis_hash],
        "eth_getUncleByBlockNumberAndIndex": ["0x0", "0x0"],
        "eth_getUncleByBlockHashAndIndex": [genesis_hash, "0x0"],
        "eth_getTransactionByHash": [tx_hash],
        "eth_getTransactionByBlockNumberAndIndex": [block1, "0x0"],
        "eth_getTransactionByBlockHashAndIndex": [block1_hash, "0x0"],
        "eth_getTransactionReceipt": [tx_hash],
        "eth_sendRawTransaction": lambda: [rpc("eth_signTransaction", [{"from": A0, "to": A1, "value": "0x1"}])],
        "eth_sendTransaction": [{"from": A0, "to": A1, "value": "0x1"}],
        "eth_sendUnsignedTransaction": [{"from": OTHER, "to": A1, "value": "0x0"}],
        "eth_signTransaction": [{"from": A0, "to": A1, "value": "0x1"}],
        "eth_sign": [A0, DATA],
        "eth_signTypedData": [A0, TYPED],
        "eth_signTypedData_v4": [A0, TYPED],
        "eth_signTypedData_v3": [A0, TYPED],
        "eth_requestAccounts": [],
        "eth_getAccount": [A0, "latest"],
        "eth_getRawTransactionByHash": [tx_hash],
        "personal_sign": [DATA, A0],
        "eth_call": [{"to": A1, "data": "0x"}, "latest"],
        "eth_simulateV1": [{"blockStateCalls": [{"calls": [{"to": A1}]}]}, "latest"],
        "eth_estimateGas": [{"from": A0, "to": A1, "value": "0x1"}],
        "eth_createAccessList": [{"from": A0, "to": A1}, "latest"],
        "eth_getLogs": [{"fromBlock": "0x0", "toBlock": "latest"}],
        "eth_newFilter": [{"fromBlock": "0x0"}],
        "eth_newBlockFilter": [],
        "eth_newPendingTransactionFilter": [],
        "eth_getFilterChanges": lambda: [rpc("eth_newBlockFilter")],
        "eth_getFilterLogs": lambda: [rpc("eth_newFilter", [{"fromBlock": "0x0"}])],
        "eth_uninstallFilter": lambda: [rpc("eth_newBlockFilter")],
        "debug_traceTransaction": [tx_hash],
        "debug_traceCall": [{"from": A0, "to": A1, "value": "0x1"}, "latest", {"tracer": "callTracer"}],
        "debug_traceBlockByNumber": [block1],
        "debug_traceBlockByHash": [block1_hash, {"tracer": "4byteTracer"}],
        "debug_getRawTransaction": [tx_hash],
        "debug_getRawReceipts": [block1],
        "wabei_getConsoleLogs": [tx_hash],
        "wabei_getInterceptions": ["0x0", "0xa"],
        "wabei_getIdentity": [A0],
        "wabei_getTransactionFlow": [tx_hash],
        "wabei_putAbi": [A1, "[]"],
        "wabei_getAbi": [A1],
        "wabei_chainStats": [],
        "wabei_networkNodes": [],
        "ots_getApiLevel": [],
        "ots_hasCode": [A0, "latest"],
        "ots_getBlockDetails": [1],
        "ots_getBlockDetailsByHash": [block1_hash],
        "ots_getBlockTransactions": [1, 0, 25],
        "ots_searchTransactionsBefore": [A0, 0, 25],
        "ots_searchTransactionsAfter": [A0, 0, 25],
        "ots_getContractCreator": [A1],
        "ots_getTransactionBySenderAndNonce": [A0, 0],
        "ots_getTransactionError": [tx_hash],
        "trace_transaction": [tx_hash],
        "trace_get": [tx_hash, ["0x0"]],
        "trace_block": [block1],
        "trace_filter": [{"fromBlock": "0x0", "toBlock": "latest", "fromAddress": [A0]}],
        "trace_call": [{"from": A0, "to": A1, "value": "0x1"}, ["trace", "stateDiff"], "latest"],
        "trace_replayTransaction": [tx_hash, ["trace"]],
        "trace_replayBlockTransactions": [block1, ["trace", "stateDiff"]],
        "txpool_status": [],
        "txpool_content": [],
        "txpool_contentFrom": [A0],
        "txpool_inspect": [],
        "evm_snapshot": [],
        "evm_revert": lambda: [rpc("evm_snapshot")],
        "evm_mine": [],
        "evm_increaseTime": ["0x1"],
        "evm_setNextBlockTimestamp": next_timestamp,
        "evm_setAutomine": [True],
        "evm_setIntervalMining": [0],
        "evm_setBlockGasLimit": ["0x1c9c380"],
        "evm_setTime": later_time,
        "anvil_snapshot": [],
        "anvil_revert": lambda: [rpc("anvil_snapshot")],
        "anvil_increaseTime": ["0x1"],
        "anvil_setNextBlockTimestamp": next_timestamp,
        "anvil_setTime": later_time,
        "anvil_setBlockGasLimit": ["0x1c9c380"],
        "anvil_setBlockTimestampInterval": ["0x1"],
        "anvil_removeBlockTimestampInterval": [],
        "anvil_getIntervalMining": [],
        "anvil_setChainId": ["0x7a69"],
        "hardhat_setPrevRandao": ["0x" + "11" * 32],
        "hardhat_setBlockTimestampInterval": ["0x3e8"],
        "hardhat_removeBlockTimestampInterval": [],
        **{f"{p}_{name}": params for p in ("anvil", "hardhat") for name, params in {
            "mine": ["0x1"],
            "setBalance": [OTHER, "0xde0b6b3a7640000"],
            "setCode": [OTHER, "0x00"],
            "setNonce": [OTHER, "0x5"],
            "setStorageAt": [OTHER, "0x0", "0x" + "00" * 31 + "01"],
            "impersonateAccount": [OTHER],
            "stopImpersonatingAccount": [OTHER],
            "autoImpersonateAccount": [False],
            "setCoinbase": [ZERO],
            "dropTransaction": ["0x" + "ab" * 32],
            "dropAllTransactions": [],
            "getAutomine": [],
            "setAutomine": [True],
            "setIntervalMining": [0],
            "nodeInfo": [],
            "dumpState": [],
            "loadState": lambda: [rpc("anvil_dumpState")],
            "setLoggingEnabled": [True],
            "setNextBlockBaseFeePerGas": ["0x3b9aca00"],
            "metadata": [],
            "reset": [],
        }.items()},
    }


def test_supported_methods_answer_over_http(own_node: RunningNode) -> None:
    rpc = Rpc(own_node.http_url)
    params = minimal_params(rpc)
    http_methods = [m for m in by_status("supported") if m not in SESSION_METHODS]
    assert sorted(params) == http_methods, "keep minimal_params in step with the supported rows"
    failures = []
    for method in sorted(http_methods, key=lambda m: m in LAST):
        p = params[method]
        resp = rpc.raw(method, p() if callable(p) else p)
        if "error" in resp:
            failures.append(f"{method}: {resp['error']}")
    assert not failures, "supported methods that fail:\n" + "\n".join(failures)
    # The calls above leave the node as they found it: still automining.
    assert rpc("eth_mining") is True


def test_subscriptions_answer_over_websocket(own_node: RunningNode) -> None:
    assert {m for m in SESSION_METHODS if read_table().get(m) == "supported"} == set(SESSION_METHODS)

    async def session() -> None:
        async with websockets.connect(own_node.ws_url) as ws:
            async def call(rid: int, method: str, params: list[Any]) -> Any:
                await ws.send(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}))
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if msg.get("id") == rid:
                        assert "error" not in msg, f"{method}: {msg['error']}"
                        return msg["result"]

            sid = await call(1, "eth_subscribe", ["newHeads"])
            assert isinstance(sid, str) and sid.startswith("0x")
            assert await call(2, "eth_unsubscribe", [sid]) is True

    asyncio.run(session())


def test_not_yet_methods_are_method_not_found(own_node: RunningNode) -> None:
    rpc = Rpc(own_node.http_url)
    wrong = []
    for method in by_status("not yet"):
        resp = rpc.raw(method, [])
        code = resp.get("error", {}).get("code")
        if code != STUBS.get(method, METHOD_NOT_FOUND):
            wrong.append(f"{method}: {resp}")
    assert not wrong, "`not yet` methods that do not answer as the table says:\n" + "\n".join(wrong)


def test_supported_rows_are_exactly_the_dispatched_methods() -> None:
    async def dispatched() -> set[str]:
        handle = await start_in_process(NodeConfig.test())
        try:
            return set(handle.dispatcher.methods)
        finally:
            await handle.stop()

    methods = asyncio.run(dispatched())
    assert set(STUBS) <= methods, "a stub left the dispatcher: update STUBS and its row"
    assert set(STUBS) <= set(by_status("not yet"))
    expected = (methods - set(STUBS)) | set(SESSION_METHODS)
    supported = set(by_status("supported"))
    assert supported - expected == set(), "marked supported but not dispatched"
    assert expected - supported == set(), "dispatched but not marked supported in docs/rpc.md"
