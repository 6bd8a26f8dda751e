"""The ABCI message classes, generated at set-up from the pinned CometBFT's own .proto files.

scripts/setup-comet runs grpcio-tools' protoc over CometBFT's `proto/tendermint/...` (at the
version pinned in scripts/versions) into `.tools/abci_pb/<version>/`. Nothing generated is
committed, so the classes cannot drift from the pinned version; this module only finds them.
`WABEI_ABCI_PB` names another directory (an installed copy of Wabei outside its checkout).
"""
from __future__ import annotations

import importlib
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class AbciClassesMissing(RuntimeError):
    """The generated classes are not there: run ./scripts/setup-comet."""


def pinned_version(root: Path = ROOT) -> str:
    """COMETBFT_VERSION from scripts/versions (e.g. "v0.38.26")."""
    for line in (root / "scripts" / "versions").read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "COMETBFT_VERSION":
            return value.strip()
    raise AbciClassesMissing("scripts/versions names no COMETBFT_VERSION")


def generated_dir() -> Path:
    """Where the generated classes of the pinned version live."""
    override = os.environ.get("WABEI_ABCI_PB")
    return Path(override) if override else ROOT / ".tools" / "abci_pb" / pinned_version()


@cache
def types() -> Any:
    """The generated `tendermint.abci.types_pb2` module (Request, Response and their parts)."""
    where = generated_dir()
    if not (where / ".complete").exists():
        raise AbciClassesMissing(
            f"the ABCI message classes are not generated in {where}: run ./scripts/setup-comet")
    if str(where) not in sys.path:
        sys.path.append(str(where))
    return importlib.import_module("tendermint.abci.types_pb2")
