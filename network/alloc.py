"""The network's Ethereum genesis allocations: from `--alloc FILE`, or the devnet's ten
`test … junk` accounts with 10,000 ETH each, so the same scripts and tests run on both.

A file is either `{"0xADDRESS": {"balance": B}, ...}` or a geth genesis with such an
`"alloc"` object. As in geth's alloc, an entry may also carry `nonce`, `code` (0x-hex) and
`storage` (`{"0xSLOT": "0xVALUE"}`). B and the nonce are JSON integers, decimal strings or
0x-hex strings (B in wei). The same parser reads `app_state.alloc` back on every node
(`genesis_accounts`), so what init wrote and what a node funds cannot differ.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_canonical_address, to_checksum_address

from chain.accounts import derive_accounts
from chain.config import ChainConfig
from chain.types import GenesisAccount


class AllocError(ValueError):
    """An allocation that cannot be used; the message names the entry."""


def default_alloc() -> dict[str, GenesisAccount]:
    """The devnet's accounts and balances (chain/config.py's defaults)."""
    config = ChainConfig()
    accounts = derive_accounts(config.mnemonic, config.account_count)
    return {to_checksum_address(a.address): GenesisAccount(balance=config.account_balance_wei) for a in accounts}


def load_alloc(path: Path) -> dict[str, GenesisAccount]:
    try:
        body: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AllocError(f"{path}: {exc}") from None
    if isinstance(body, dict) and isinstance(body.get("alloc"), dict):
        body = body["alloc"]
    return parse_alloc(body, str(path))


def parse_alloc(body: Any, where: str) -> dict[str, GenesisAccount]:
    """Checksum address → account, from a geth-style alloc object; AllocError names `where`."""
    if not isinstance(body, dict) or not body:
        raise AllocError(f"{where}: expected an object of address -> {{\"balance\": wei}}")
    return {_address(where, k): _account(f"{where}: {k}", v) for k, v in body.items()}


def genesis_accounts(body: Any, where: str) -> dict[bytes, GenesisAccount]:
    """The allocation as ChainConfig.alloc takes it (20-byte addresses)."""
    return {to_canonical_address(k): v for k, v in parse_alloc(body, where).items()}


def _address(where: str, raw: str) -> str:
    text = raw if raw.startswith("0x") else "0x" + raw
    if not is_address(text):
        raise AllocError(f"{where}: {raw!r} is not an address")
    return to_checksum_address(text)


def _account(where: str, entry: Any) -> GenesisAccount:
    if not isinstance(entry, dict):
        raise AllocError(f"{where}: expected an object with a balance")
    storage = entry.get("storage", {})
    if not isinstance(storage, dict):
        raise AllocError(f"{where}: storage must be an object of slot -> value")
    return GenesisAccount(
        balance=_number(where, "balance", entry.get("balance")),
        nonce=_number(where, "nonce", entry.get("nonce", 0)),
        code=_hex_bytes(where, entry.get("code", "")),
        storage={_number(where, "storage slot", k): _number(where, "storage value", v) for k, v in storage.items()},
    )


def _number(where: str, what: str, raw: Any) -> int:
    try:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else int(str(raw), 0)
    except ValueError:
        value = -1
    if value < 0 or value >= 2**256:
        raise AllocError(f"{where}: {what} {raw!r} is not a non-negative 256-bit number")
    return value


def _hex_bytes(where: str, raw: Any) -> bytes:
    text = str(raw).removeprefix("0x")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise AllocError(f"{where}: code {raw!r} is not 0x-hex") from None


def alloc_json(alloc: dict[str, GenesisAccount]) -> dict[str, dict[str, Any]]:
    """The allocations as genesis.json's app_state carries them (numbers as 0x-hex; nonce, code
    and storage only when the account has them)."""
    body: dict[str, dict[str, Any]] = {}
    for address, account in alloc.items():
        entry: dict[str, Any] = {"balance": hex(account.balance)}
        if account.nonce:
            entry["nonce"] = hex(account.nonce)
        if account.code:
            entry["code"] = "0x" + account.code.hex()
        if account.storage:
            entry["storage"] = {f"0x{k:064x}": f"0x{v:064x}" for k, v in sorted(account.storage.items())}
        body[address] = entry
    return body
