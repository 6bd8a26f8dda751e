"""Dev methods that Anvil and Hardhat both serve, under both prefixes, with Anvil's semantics.

Methods only one of them has live in dev_only.py (`anvil_` alone, `hardhat_` alone), so a name
is served under exactly the prefixes that tool uses. Devnet only.
"""
from __future__ import annotations

import asyncio
from typing import Any

import orjson

from chain.api.chain import Chain
from chain.api.dev import MAX_MINE_BLOCKS, DevControls
from chain.backend.dump import read_gzip_dump, write_gzip_dump
from chain.exceptions import InvalidParams
from chain.rpc import codec
from chain.rpc.namespaces.web3 import CLIENT_VERSION
from chain.rpc.streamed import ChunkPipe, HexStream
from vm_hooks.deadline import Deadline


class AnvilNamespace:
    prefixes = ("anvil", "hardhat")

    def __init__(self, chain: Chain, dev: DevControls) -> None:
        self._chain = chain
        self._dev = dev

    async def mine(self, blocks: Any = None, interval: Any = None) -> None:
        """Mine `blocks` blocks (default 1), `interval` seconds apart (default 1)."""
        n = 1 if blocks is None else codec.quantity(blocks, "blocks", max_value=MAX_MINE_BLOCKS, lenient=True)
        step = 1 if interval is None else codec.quantity(interval, "interval", max_value=2**32, lenient=True)
        step = max(step, 1)  # timestamps strictly increase, so 0 means "one second apart"
        await self._dev.mine(n, None, step)

    def setBalance(self, address: Any, balance: Any) -> bool:
        self._dev.set_balance(codec.address(address, "address"), codec.quantity(balance, "balance", lenient=True))
        return True

    def setCode(self, address: Any, code: Any) -> bool:
        self._dev.set_code(codec.address(address, "address"), codec.data(code, "code"))
        return True

    def setNonce(self, address: Any, nonce: Any) -> bool:
        self._dev.set_nonce(codec.address(address, "address"), codec.quantity(nonce, "nonce", 2**64 - 1, lenient=True))
        return True

    def setStorageAt(self, address: Any, slot: Any, value: Any) -> bool:
        self._dev.set_storage(codec.address(address, "address"), codec.slot(slot, "slot"),
                              int.from_bytes(codec.fixed(value, "value", 32), "big"))
        return True

    def impersonateAccount(self, address: Any) -> None:
        self._dev.impersonated.add(codec.address(address, "address"))

    def stopImpersonatingAccount(self, address: Any) -> None:
        self._dev.impersonated.discard(codec.address(address, "address"))

    def autoImpersonateAccount(self, enabled: Any) -> None:
        self._dev.auto_impersonate = codec.boolean(enabled, "enabled")

    def setCoinbase(self, address: Any) -> None:
        self._dev.set_coinbase(codec.address(address, "address"))

    def dropTransaction(self, tx_hash: Any) -> str | None:
        dropped = self._dev.drop_transaction(codec.fixed(tx_hash, "transactionHash", 32))
        return None if dropped is None else "0x" + dropped.hash.hex()

    def dropAllTransactions(self) -> None:
        self._dev.drop_all_transactions()

    def getAutomine(self) -> bool:
        return self._dev.mining.automine

    def setAutomine(self, enabled: Any) -> None:
        self._dev.mining.set_automine(codec.boolean(enabled, "enabled"))

    def setIntervalMining(self, seconds: Any) -> None:
        self._dev.mining.set_interval(codec.quantity(seconds, "interval", lenient=True))

    async def dumpState(self) -> str | HexStream:
        """The whole chain as gzip-compressed JSON, hex-encoded (Anvil's format for this call).
        Written on a call worker from the head fixed now, so other clients are served
        meanwhile; refused past the chain's dump_max_bytes of JSON (docs/rpc.md, Limits). A
        large dump is sent to an HTTP client as it is made (chain/rpc/streamed.py)."""
        src, limit = self._dev.dump_source(), self._chain.config.dump_max_bytes
        pipe = ChunkPipe(asyncio.get_running_loop())

        def job(deadline: Deadline) -> None:
            pipe.deadline = deadline
            try:
                write_gzip_dump(src, pipe, limit, deadline)
            finally:
                pipe.close()
        return await HexStream.start(pipe, self._chain.reads.workers.run(job))

    def loadState(self, state: Any) -> bool:
        """Load what dumpState returned (or the JSON of --dump-state, as an object)."""
        if isinstance(state, str):
            raw = codec.data(state, "state")
            text = read_gzip_dump(raw, self._chain.config.dump_max_bytes) if raw[:2] == b"\x1f\x8b" else raw
            try:
                state = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise InvalidParams(f"invalid state: corrupt or truncated dump ({exc}); nothing was loaded") from exc
        self._dev.load_state(state)
        return True

    def reset(self, options: Any = None) -> None:
        """A fresh genesis with the start flags. Forking needs a network, which Wabei never
        reaches: a `forking` object naming a URL or a block is refused. viem's
        `testClient.reset()` sends `{forking: {blockNumber: null}}`, a plain reset."""
        if options is not None:
            if not isinstance(options, dict):
                raise InvalidParams("reset takes no params, or {forking: ...}")
            forking = options.get("forking")
            if forking is not None and (not isinstance(forking, dict) or any(
                    forking.get(k) is not None for k in ("jsonRpcUrl", "blockNumber"))):
                raise InvalidParams("forking is not supported (no network access): reset without "
                                    "params for a fresh genesis")
        self._dev.reset()

    def setLoggingEnabled(self, enabled: Any) -> None:
        self._dev.logging_enabled = codec.boolean(enabled, "enabled")

    def setMinGasPrice(self, gas_price: Any) -> None:
        """Refused, as Anvil and Hardhat refuse it on a London or later chain: transactions
        pay the base fee, which anvil_setNextBlockBaseFeePerGas sets."""
        codec.quantity(gas_price, "gasPrice", lenient=True)
        raise InvalidParams("setMinGasPrice is not supported when EIP-1559 is active; "
                            "use setNextBlockBaseFeePerGas")

    def setNextBlockBaseFeePerGas(self, base_fee: Any) -> None:
        self._dev.set_next_block_base_fee(codec.quantity(base_fee, "baseFeePerGas", 2**64 - 1, lenient=True))

    def metadata(self) -> dict[str, Any]:
        """Anvil's metadata shape (Hardhat's fields are a subset of it)."""
        h = self._chain.reads.head
        return {"clientVersion": CLIENT_VERSION, "chainId": self._chain.chain_id,
                "instanceId": "0x" + self._dev.instance_id.hex(),
                "latestBlockNumber": int(h.block_number), "latestBlockHash": "0x" + bytes(h.hash).hex(),
                "forkedNetwork": None,
                "snapshots": {hex(sid): [n, "0x" + bh.hex()] for sid, (n, bh) in self._dev.snapshots().items()}}

    def nodeInfo(self) -> dict[str, Any]:
        h = self._chain.reads.head
        return {"currentBlockNumber": hex(h.block_number), "currentBlockTimestamp": h.timestamp,
                "currentBlockHash": "0x" + bytes(h.hash).hex(), "hardFork": self._chain.spec.fork,
                "environment": {"chainId": self._chain.chain_id, "gasLimit": str(self._chain.reads.next_gas_limit())}}
