"""Dev methods under both `anvil_` and `hardhat_` prefixes, with Anvil's semantics; devnet only."""
from __future__ import annotations

from typing import Any

import gzip

import orjson

from chain.api.chain import Chain
from chain.api.dev import DevControls
from chain.exceptions import InvalidParams
from chain.rpc import codec


class AnvilNamespace:
    prefixes = ("anvil", "hardhat")

    def __init__(self, chain: Chain, dev: DevControls) -> None:
        self._chain = chain
        self._dev = dev

    def mine(self, blocks: Any = None, interval: Any = None) -> None:
        """Mine `blocks` blocks (default 1), `interval` seconds apart (default 1)."""
        n = 1 if blocks is None else codec.quantity(blocks, "blocks", max_value=10**6, lenient=True)
        step = 1 if interval is None else codec.quantity(interval, "interval", max_value=2**32, lenient=True)
        step = max(step, 1)  # timestamps strictly increase, so 0 means "one second apart"
        self._dev.mine(n, None, step)

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

    def dumpState(self) -> str:
        """The whole chain as gzip-compressed JSON, hex-encoded (Anvil's format for this call)."""
        return "0x" + gzip.compress(orjson.dumps(self._dev.dump_state())).hex()

    def loadState(self, state: Any) -> bool:
        """Load what dumpState returned (or the JSON of --dump-state, as an object)."""
        if isinstance(state, str):
            try:
                raw = codec.data(state, "state")
                state = orjson.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
            except (OSError, EOFError, orjson.JSONDecodeError) as exc:
                raise InvalidParams(f"invalid state: corrupt or truncated dump ({exc}); nothing was loaded") from exc
        self._dev.load_state(state)
        return True

    def nodeInfo(self) -> dict[str, Any]:
        h = self._chain.reads.head
        return {"currentBlockNumber": hex(h.block_number), "currentBlockTimestamp": h.timestamp,
                "currentBlockHash": "0x" + bytes(h.hash).hex(), "hardFork": self._chain.spec.fork,
                "environment": {"chainId": self._chain.chain_id, "gasLimit": str(self._chain.config.gas_limit)}}
