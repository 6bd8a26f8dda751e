"""SQL identifiers for contract tables and parameter columns: one rule for every engine.

PostgreSQL keeps 63 bytes of an identifier (NAMEDATALEN - 1) and silently truncates the rest,
so two long names could become one table. Every identifier here is lower case ASCII
`[a-z0-9_]` (unquoted in SQL on both engines: PostgreSQL folds unquoted names to lower case),
snake_case where the ABI used camelCase (`RightsPurchased` → `rights_purchased`, `feeBps` →
`fee_bps`, `ERC20Token` → `erc20_token`), starts with a letter, and when longer than 63 characters is cut to 54 and ended with `_` and
the first 8 hex digits of the keccak of the whole name, so it stays unique and stable.
"""
from __future__ import annotations

import re

from eth_utils.crypto import keccak

MAX_IDENTIFIER = 63
_HASH_DIGITS = 8
_UNSAFE = re.compile(r"[^a-z0-9_]+")
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_UPPER_RUN = re.compile(r"([A-Z]+)([A-Z][a-z])")


def sanitise(text: str) -> str:
    """`text` as a snake_case identifier part: runs of other characters become one `_`."""
    snake = _LOWER_UPPER.sub(r"\1_\2", _UPPER_RUN.sub(r"\1_\2", text))
    cleaned = _UNSAFE.sub("_", snake.lower()).strip("_")
    if not cleaned:
        return "x"
    return cleaned if cleaned[0].isalpha() else f"x{cleaned}"


def fit(name: str) -> str:
    """`name` itself if it fits in 63 bytes, else its first 54 characters + `_` + 8 hash digits."""
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = keccak(text=name).hex()[:_HASH_DIGITS]
    return f"{name[:MAX_IDENTIFIER - _HASH_DIGITS - 1]}_{digest}"


def table_name(contract: str, member: str, kind: str, suffix: str = "") -> str:
    """`<contract>_<member>[_<suffix>]_<kind>` (kind: "method" or "event"), sanitised and fitted."""
    parts = [sanitise(contract), sanitise(member)] + ([suffix] if suffix else []) + [kind]
    return fit("_".join(parts))


def column_names(params: list[str], reserved: frozenset[str]) -> list[str]:
    """One column per parameter: the sanitised name, or `arg<i>` for an unnamed one, prefixed
    `p_` when it would collide with a fixed column or an earlier parameter."""
    taken = set(reserved)
    out = []
    for i, raw in enumerate(params):
        name = fit(sanitise(raw)) if raw else f"arg{i}"
        while name in taken:
            name = fit(f"p_{name}")
        taken.add(name)
        out.append(name)
    return out
