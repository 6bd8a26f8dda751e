"""A content-addressed cache of solc outputs, so compiling the same sources twice is instant.

The npm solc (soljson) takes seconds to load and compile; `wabei deploy` compiles on every run.
An entry is keyed by the exact standard-JSON input and compiler version, and records a hash of
every imported source unit solc read. A lookup re-reads those files and uses the
entry only if every one is unchanged, so an edited import (a user's library, a different
OpenZeppelin) always recompiles. Set WABEI_COMPILE_CACHE=off to bypass it.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

_ENV = "WABEI_COMPILE_CACHE"


def cache_dir() -> Path | None:
    """Where entries live (`$XDG_CACHE_HOME/wabei/solc`), or None when the cache is off."""
    if os.environ.get(_ENV, "").lower() in {"off", "0", "no", "false"}:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "wabei" / "solc"


def _key(std_input: Mapping[str, Any], version: str) -> str:
    # The search path is not part of the key: where an import comes from is checked on lookup
    # by re-resolving it, so the same sources compiled from two checkouts share an entry.
    material = json.dumps({"input": std_input, "version": version}, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _resolve(unit: str, root: Path, include: Sequence[Path]) -> Path | None:
    """The file solc read for source unit `unit` (same search order as deploy/solc_compile.js)."""
    for directory in (root, root / "node_modules", *include):
        candidate = directory.joinpath(*unit.split("/"))
        if candidate.is_file():
            return candidate
    return None


def _digest(path: Path | None) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None


def lookup(std_input: Mapping[str, Any], root: Path, version: str, include: Sequence[Path]) -> dict[str, Any] | None:
    """The cached output for this compile, if every source it read is unchanged."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        entry = json.loads((directory / f"{_key(std_input, version)}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    for unit, digest in entry.get("imports", {}).items():
        if _digest(_resolve(unit, root, include)) != digest:
            return None
    return cast(dict[str, Any], entry["output"])


def store(std_input: Mapping[str, Any], root: Path, version: str, include: Sequence[Path],
          output: Mapping[str, Any]) -> None:
    """Remember `output`; a cache that cannot be written is skipped silently (it is only a cache)."""
    directory = cache_dir()
    if directory is None:
        return
    inline = set(std_input.get("sources", {}))
    imports = {unit: _digest(_resolve(unit, root, include))
               for unit in output.get("sources", {}) if unit not in inline}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"imports": imports, "output": output}, f)
        os.replace(tmp, directory / f"{_key(std_input, version)}.json")
    except OSError:
        pass
