"""Column types shared by the fixed tables, the contract tables and the migrations.

`Uint256()` holds any EVM integer (up to 2**256, signed or not) exactly. PostgreSQL stores it as
NUMERIC(78, 0). SQLite has no exact integer past 64 bits: a NUMERIC column turns a larger number
into an 8-byte float, so on SQLite the same column holds the decimal text instead, exact and
castable (`CAST(amount AS REAL)` for sums). That is SQLAlchemy's own per-engine variant
(`with_variant`), declared once here; nothing else in the warehouse names an engine. (The
dialects' `supports_native_decimal` flag cannot choose: SQLAlchemy 2.1 leaves it False for
PostgreSQL's drivers too.) Both read back as Python ints.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, Numeric, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import JSON, TypeDecorator, TypeEngine

__all__ = ["Address", "BigInteger", "Boolean", "Hash", "HexData", "Integer", "JSON", "String", "Text", "Uint256"]


class ExactNumeric(TypeDecorator[int]):
    """NUMERIC(78, 0) read and written as Python ints (through Decimal, never a float)."""

    impl = Numeric(78, 0)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        return None if value is None else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


class DecimalText(TypeDecorator[int]):
    """An integer of up to 79 characters (sign and 78 digits) kept as its decimal text."""

    impl = String(79)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


def Uint256() -> TypeEngine[int]:
    """An EVM integer of up to 78 decimal digits, exact on every engine, read as a Python int."""
    return ExactNumeric().with_variant(DecimalText(), "sqlite")


def Address() -> String:
    """A 20-byte address as `0x` + 40 lower-case hex digits (lower case: equality in SQL works)."""
    return String(42)


def Hash() -> String:
    """A 32-byte hash as `0x` + 64 lower-case hex digits."""
    return String(66)


def HexData() -> Text:
    """Bytes of any length (calldata, log data, `bytes` parameters) as `0x`-prefixed hex."""
    return Text()
