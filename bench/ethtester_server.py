"""eth-tester (py-evm backend) served over HTTP JSON-RPC, so the benchmark drives it like the others.

    python bench/ethtester_server.py --port P

eth-tester is an in-process library; this shim is the smallest honest way to put the same web3.py
HTTP client in front of it. Each request goes through web3's own EthereumTesterProvider and its
middleware (what `Web3(EthereumTesterProvider())` does in a test), and the result is encoded as
JSON-RPC (every integer a hex quantity). The HTTP layer is aiohttp, as in Wabei, so the comparison
measures the node behind the socket rather than two HTTP stacks.

Accounts: the ten `test test ... junk` dev accounts, 10,000 ETH each (as Wabei and Hardhat).
Chain id: eth-tester hard-codes 131277322940537; the benchmark signs for each peer's chain id.
Mining: automine only. With auto-mining off, eth-tester checks each new transaction against the
latest *mined* state, so a sender's second pending transaction fails with "Invalid transaction
nonce"; interval mining with senders that send back to back cannot be measured on it.
"""
from __future__ import annotations

import argparse
import asyncio
from typing import Any

from aiohttp import web
from eth_tester import EthereumTester, PyEVMBackend
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider

MNEMONIC = "test test test test test test test test test test test junk"
HD_PATH = "m/44'/60'/0'/0"  # eth-tester appends /i: the standard m/44'/60'/0'/0/i
BALANCE = 10_000 * 10**18


def _to_wire(value: Any) -> Any:
    """eth-tester's normalised output as JSON-RPC: ints as hex quantities, bytes as hex data."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_wire(v) for v in value]
    return value


class TesterNode:
    def __init__(self) -> None:
        backend = PyEVMBackend.from_mnemonic(
            MNEMONIC, num_accounts=10, hd_path=HD_PATH, genesis_state_overrides={"balance": BALANCE}
        )
        provider = EthereumTesterProvider(EthereumTester(backend))
        w3 = Web3(provider)
        w3.middleware_onion.clear()  # only the provider's own request/response formatting
        self._request = provider.request_func(w3, w3.middleware_onion)

    def handle(self, call: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": call.get("id")}
        try:
            out = self._request(call["method"], call.get("params") or [])
        except Exception as exc:  # any failure is the caller's JSON-RPC error, as in a real node
            reply["error"] = {"code": -32000, "message": f"{type(exc).__name__}: {exc}"}
            return reply
        if "error" in out:
            reply["error"] = out["error"]
        else:
            reply["result"] = _to_wire(out.get("result"))
        return reply


async def serve(port: int) -> None:
    node = TesterNode()

    async def rpc(request: web.Request) -> web.Response:
        body = await request.json()
        if isinstance(body, list):
            return web.json_response([node.handle(c) for c in body])
        return web.json_response(node.handle(body))

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/", rpc)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"Listening on 127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
