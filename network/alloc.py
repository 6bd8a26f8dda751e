"""The network's Ethereum genesis allocations: from `--alloc FILE`, or the devnet's ten
`test … junk` accounts with 10,000 ETH each, so the same scripts and tests run on both.

A file is either `{"0xADDRESS": {"balance": B}, ...}` or a geth genesis with such an
`"alloc"` object; B is a JSON integer, a decimal string or a 0x-hex string, in wei.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from chain.accounts import derive_accounts
from chain.config import ChainConfig


class AllocError(ValueError):
    """An allocation file that cannot be used; the message names the entry."""


def default_alloc() -> dict[str, int]:
    """The devnet's accounts and balances (chain/config.py's defaults)."""
    config = ChainConfig()
    accounts = derive_accounts(config.mnemonic, config.account_count)
    return {to_checksum_address(a.address): config.account_balance_wei for a in accounts}


def load_alloc(path: Path) -> dict[str, int]:
    try:
        body: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AllocError(f"{path}: {exc}") from None
    if isinstance(body, dict) and isinstance(body.get("alloc"), dict):
        body = body["alloc"]
    if not isinstance(body, dict) or not body:
        raise AllocError(f"{path}: expected an object of address -> {{\"balance\": wei}}")
    return {_address(path, k): _balance(path, k, v) for k, v in body.items()}


def _address(path: Path, raw: str) -> str:
    text = raw if raw.startswith("0x") else "0x" + raw
    if not is_address(text):
        raise AllocError(f"{path}: {raw!r} is not an address")
    return to_checksum_address(text)


def _balance(path: Path, address: str, entry: Any) -> int:
    raw = entry.get("balance") if isinstance(entry, dict) else None
    try:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else int(str(raw), 0)
    except ValueError:
        value = -1
    if value < 0:
        raise AllocError(f"{path}: {address}: balance {raw!r} is not a non-negative number of wei")
    return value


def alloc_json(alloc: dict[str, int]) -> dict[str, dict[str, str]]:
    """The allocations as genesis.json's app_state carries them (balances as 0x-hex wei)."""
    return {address: {"balance": hex(balance)} for address, balance in alloc.items()}
