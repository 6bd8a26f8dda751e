"""Dev methods under both `anvil_` and `hardhat_` prefixes, with Anvil's semantics."""
from __future__ import annotations

from typing import Any

import gzip

import orjson

from chain.api.node_api import NodeAPI
from chain.backend.dump import dump_state, load_state
from chain.exceptions import InvalidParams
from chain.rpc import codec


class AnvilNamespace:
    prefixes = ("anvil", "hardhat")

    def __init__(self, api: NodeAPI) -> None:
        self._api = api

    def mine(self, blocks: Any = None, interval: Any = None) -> None:
        """Mine `blocks` blocks (default 1), `interval` seconds apart (default 1)."""
        n = 1 if blocks is None else codec.quantity(blocks, "blocks", max_value=10**6)
        step = 1 if interval is None else codec.quantity(interval, "interval", max_value=2**32)
        step = max(step, 1)  # timestamps strictly increase, so 0 means "one second apart"
        for i in range(n):
            ts = None if i == 0 else int(self._api.head.timestamp) + step
            self._api.mine_block(ts)

    def setBalance(self, address: Any, balance: Any) -> bool:
        self._api.set_balance(codec.address(address, "address"), codec.quantity(balance, "balance"))
        return True

    def setCode(self, address: Any, code: Any) -> bool:
        self._api.set_code(codec.address(address, "address"), codec.data(code, "code"))
        return True

    def setNonce(self, address: Any, nonce: Any) -> bool:
        self._api.set_nonce(codec.address(address, "address"), codec.quantity(nonce, "nonce", 2**64 - 1))
        return True

    def setStorageAt(self, address: Any, slot: Any, value: Any) -> bool:
        self._api.set_storage(codec.address(address, "address"), codec.slot(slot, "slot"),
                              int.from_bytes(codec.fixed(value, "value", 32), "big"))
        return True

    def impersonateAccount(self, address: Any) -> None:
        self._api.impersonated.add(codec.address(address, "address"))

    def stopImpersonatingAccount(self, address: Any) -> None:
        self._api.impersonated.discard(codec.address(address, "address"))

    def autoImpersonateAccount(self, enabled: Any) -> None:
        self._api.auto_impersonate = codec.boolean(enabled, "enabled")

    def setCoinbase(self, address: Any) -> None:
        self._api.backend.coinbase = codec.address(address, "address")

    def dropTransaction(self, tx_hash: Any) -> str | None:
        dropped = self._api.pool.remove(codec.fixed(tx_hash, "transactionHash", 32))
        return None if dropped is None else "0x" + dropped.hash.hex()

    def dropAllTransactions(self) -> None:
        self._api.pool.clear()

    def getAutomine(self) -> bool:
        return self._api.miner.automine

    def setAutomine(self, enabled: Any) -> None:
        self._api.miner.set_automine(codec.boolean(enabled, "enabled"))

    def setIntervalMining(self, seconds: Any) -> None:
        self._api.miner.set_interval(codec.quantity(seconds, "interval"))

    def dumpState(self) -> str:
        """The whole chain as gzip-compressed JSON, hex-encoded (Anvil's format for this call)."""
        return "0x" + gzip.compress(orjson.dumps(dump_state(self._api.backend))).hex()

    def loadState(self, state: Any) -> bool:
        """Load what dumpState returned (or the JSON of --dump-state, as an object)."""
        if isinstance(state, str):
            try:
                raw = codec.data(state, "state")
                state = orjson.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
            except (OSError, EOFError, orjson.JSONDecodeError) as exc:
                raise InvalidParams(f"invalid state: corrupt or truncated dump ({exc}); nothing was loaded") from exc
        load_state(self._api.backend, state)
        self._api.pool.clear()
        return True

    def nodeInfo(self) -> dict[str, Any]:
        h = self._api.head
        return {"currentBlockNumber": hex(h.block_number), "currentBlockTimestamp": h.timestamp,
                "currentBlockHash": "0x" + bytes(h.hash).hex(), "hardFork": "prague",
                "environment": {"chainId": self._api.chain_id, "gasLimit": str(self._api.config.gas_limit)}}
