"""AbiStore: contract ABIs that users upload through the explorer (wabei_putAbi), kept in the
node's own database so they survive a restart of a --data-dir node.

The rows sit beside the chain's index under their own prefix, outside every block's state: they
are this node's notes about contracts, not consensus data, so two nodes may hold different ones
and anvil_reset or a state load (which replace the database) drops them. Bounded: one ABI is at
most MAX_ABI_BYTES of JSON and a node keeps at most MAX_ABIS, so an open node cannot be filled.
"""
from __future__ import annotations

from typing import Any

import orjson
from eth.abc import AtomicDatabaseAPI

from chain.exceptions import InvalidParams, LimitExceeded

MAX_ABI_BYTES = 256 * 1024  # the sharing suite's largest ABI is ~40 KB
MAX_ABIS = 10_000
ENTRY_TYPES = frozenset({"function", "event", "error", "constructor", "fallback", "receive"})
_ABI = b"wabei:abi:"
_COUNT = b"wabei:abi-count"


def validate_abi(value: Any) -> list[dict[str, Any]]:
    """A JSON ABI as a list of entries; raises InvalidParams saying what is wrong and where.

    `value` is the parsed array, or a string holding it (what a file upload gives)."""
    if isinstance(value, str):
        if len(value) > MAX_ABI_BYTES:
            raise InvalidParams(f"ABI too large: {len(value)} bytes, limit {MAX_ABI_BYTES}")
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise InvalidParams(f"ABI is not valid JSON: {exc}") from None
    if not isinstance(value, list):
        raise InvalidParams("ABI must be a JSON array of entries such as "
                            '{"type":"function","name":"transfer","inputs":[...]}')
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise InvalidParams(f"ABI entry {i} is not an object")
        kind = entry.get("type", "function")
        if kind not in ENTRY_TYPES:
            raise InvalidParams(f"ABI entry {i} has type {kind!r}; expected one of {', '.join(sorted(ENTRY_TYPES))}")
        if kind in ("function", "event", "error") and not isinstance(entry.get("name"), str):
            raise InvalidParams(f"ABI entry {i} ({kind}) has no name")
        for key in ("inputs", "outputs"):
            params = entry.get(key, [])
            if not isinstance(params, list) or not all(isinstance(p, dict) and isinstance(p.get("type"), str)
                                                       for p in params):
                raise InvalidParams(f"ABI entry {i} has malformed {key}: each needs a string \"type\"")
    return value


class AbiStore:
    """Uploaded ABIs by contract address, in a chain's database."""

    def __init__(self, db: AtomicDatabaseAPI) -> None:
        self._db = db

    def put(self, address: bytes, abi: list[dict[str, Any]]) -> None:
        """Keep `abi` (already validated) for `address`, replacing any earlier upload.
        Raises InvalidParams past MAX_ABI_BYTES and LimitExceeded past MAX_ABIS."""
        encoded = orjson.dumps(abi)
        if len(encoded) > MAX_ABI_BYTES:
            raise InvalidParams(f"ABI too large: {len(encoded)} bytes, limit {MAX_ABI_BYTES}")
        key = _ABI + address
        count = self._count()
        fresh = self._db.get(key) is None
        if fresh and count >= MAX_ABIS:
            raise LimitExceeded(f"this node already keeps {MAX_ABIS} uploaded ABIs, its limit")
        with self._db.atomic_batch() as batch:  # the ABI and the count together, or neither
            batch[key] = encoded
            if fresh:
                batch[_COUNT] = (count + 1).to_bytes(4, "big")

    def get(self, address: bytes) -> list[dict[str, Any]] | None:
        raw = self._db.get(_ABI + address)
        return None if raw is None else list(orjson.loads(raw))

    def _count(self) -> int:
        raw = self._db.get(_COUNT)
        return int.from_bytes(raw, "big") if raw else 0
