"""Column types shared by the fixed tables, the contract tables and the migrations.

`Uint256` holds any EVM integer (up to 2**256, signed or not) exactly. PostgreSQL stores it as
NUMERIC(78, 0). SQLite has no exact integer past 64 bits: a NUMERIC column turns a larger
number into an 8-byte float, so an engine without native decimals (SQLAlchemy's
`supports_native_decimal`; SQLite) gets the decimal text instead, exact and castable
(`CAST(amount AS REAL)` for sums). The choice follows the engine's capability, never its name.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, Numeric, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import JSON, TypeDecorator, TypeEngine

__all__ = ["Address", "BigInteger", "Boolean", "Hash", "HexData", "Integer", "JSON", "Uint256", "Text"]


class Uint256(TypeDecorator[int]):
    """An EVM integer of up to 78 decimal digits, read back as a Python int."""

    impl = Numeric(78, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.supports_native_decimal:
            return dialect.type_descriptor(Numeric(78, 0))
        return dialect.type_descriptor(String(79))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return Decimal(value) if dialect.supports_native_decimal else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


def Address() -> String:
    """A 20-byte address as `0x` + 40 lower-case hex digits (lower case: equality in SQL works)."""
    return String(42)


def Hash() -> String:
    """A 32-byte hash as `0x` + 64 lower-case hex digits."""
    return String(66)


def HexData() -> Text:
    """Bytes of any length (calldata, log data, `bytes` parameters) as `0x`-prefixed hex."""
    return Text()
