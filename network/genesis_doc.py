"""The Ethereum genesis a network node builds, read from CometBFT's genesis.json.

Every node of a network holds the same genesis.json, and this is the only place a node derives
its Ethereum genesis from it, so every node builds the identical genesis block (a node that did
not would answer another app hash at InitChain, and consensus would refuse it):

- the timestamp is `genesis_time` in whole seconds;
- `app_state` (written by `wabei network init`): `chain_id`, `gas_limit`, `base_fee_wei` and
  `alloc` (exactly the accounts funded; network/alloc.py parses it), and `admin`;
- the Consensus precompile's (0x1003) genesis storage: `admin` and the genesis `validators`
  (their ed25519 keys and powers) as the sealers, so the set it records starts as CometBFT's,
  and `app_state.observers` (validator keys in hex, FISCO's node ids) as its observers.

A genesis without `app_state.alloc` (one made by `cometbft testnet`) gives `alloc = None`: the
node funds the mnemonic's accounts as the devnet does, and the validator set has no admin.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_canonical_address

from chain.types import GenesisAccount
from network.alloc import AllocError, genesis_accounts
from vm_hooks.addresses import CONSENSUS, SYSTEM_STUB_CODE
from vm_hooks.consensus.store import genesis_storage


class GenesisError(ValueError):
    """A genesis.json this node cannot build its genesis from; the message says what."""


@dataclass(frozen=True)
class EthereumGenesis:
    timestamp: int                                  # seconds
    chain_id: int | None                            # app_state.chain_id, when given
    gas_limit: int | None                           # per block
    base_fee_wei: int | None
    alloc: dict[bytes, GenesisAccount] | None       # None: no app_state.alloc (see above)


def read_genesis(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GenesisError(f"cannot read CometBFT's genesis {path}: {exc}") from None
    if not isinstance(body, dict):
        raise GenesisError(f"{path} is not a CometBFT genesis document")
    return body


def genesis_seconds(doc: dict[str, Any], where: str) -> int:
    """`genesis_time` (RFC 3339, up to nanoseconds) in whole seconds."""
    try:
        whole = re.sub(r"\.\d+", "", str(doc["genesis_time"])).replace("Z", "+00:00")
        stamp = datetime.fromisoformat(whole)
    except (KeyError, ValueError) as exc:
        raise GenesisError(f"cannot read genesis_time from {where}: {exc}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return int(stamp.timestamp())


def validators(doc: dict[str, Any], where: str) -> list[tuple[bytes, int]]:
    """The genesis validators as (ed25519 public key, power), in the file's order."""
    found = []
    for entry in doc.get("validators") or []:
        try:
            key = base64.b64decode(entry["pub_key"]["value"], validate=True)
            power = int(entry["power"])
        except (KeyError, TypeError, ValueError) as exc:
            raise GenesisError(f"{where}: malformed validator {entry!r}: {exc}") from None
        found.append((key, power))
    return found


def observers(state: dict[str, Any], where: str) -> list[bytes]:
    """`app_state.observers`: the genesis observers' validator keys (64 hex digits each)."""
    entries = state.get("observers") or []
    if not isinstance(entries, list):
        raise GenesisError(f"{where}: app_state.observers is not a list of node ids")
    keys = []
    for entry in entries:
        try:
            key = bytes.fromhex(str(entry).lower().removeprefix("0x"))
        except ValueError:
            key = b""
        if len(key) != 32:
            raise GenesisError(f"{where}: app_state.observers holds {entry!r}, which is not a validator's "
                               "ed25519 public key in hex (64 hex digits)")
        keys.append(key)
    return keys


def ethereum_genesis(doc: dict[str, Any], where: str) -> EthereumGenesis:
    """What the node's ChainConfig takes from the genesis document (module docstring)."""
    timestamp = genesis_seconds(doc, where)
    state = doc.get("app_state")
    if not isinstance(state, dict) or "alloc" not in state:
        return EthereumGenesis(timestamp, None, None, None, None)
    try:
        alloc = genesis_accounts(state["alloc"], f"{where}: app_state.alloc")
        chain_id, gas_limit, base_fee = (_optional_int(state, k) for k in ("chain_id", "gas_limit", "base_fee_wei"))
    except (AllocError, TypeError, ValueError) as exc:
        raise GenesisError(str(exc)) from None
    admin = state.get("admin")
    if admin is not None and not (isinstance(admin, str) and is_address(admin)):
        raise GenesisError(f"{where}: app_state.admin {admin!r} is not an address")
    try:
        storage = genesis_storage(to_canonical_address(admin) if admin else None, validators(doc, where),
                                  observers(state, where))
    except ValueError as exc:
        raise GenesisError(f"{where}: {exc}") from None
    alloc[CONSENSUS] = GenesisAccount(nonce=1, code=SYSTEM_STUB_CODE, storage=storage)
    return EthereumGenesis(timestamp, chain_id, gas_limit, base_fee, alloc)


def _optional_int(state: dict[str, Any], key: str) -> int | None:
    value = state.get(key)
    return None if value is None else int(value)
