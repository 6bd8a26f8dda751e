"""`wabei node --governance FILE`: a governed chain's initial governance, as genesis storage.

The file is one JSON object; each governance precompile reads its own key from it (the
committee reads "committee": vm_hooks/committee/genesis.py) and answers the storage words its
account starts with. Adding a precompile's section is adding its reader to `SECTION_READERS`.
The words become part of the genesis state root, so a data dir made with one file does not
open with another.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from vm_hooks.committee.genesis import committee_words

Words = tuple[tuple[bytes, int, int], ...]
SECTION_READERS: tuple[Callable[[Mapping[str, Any]], Words], ...] = (committee_words,)


class GovernanceFileError(ValueError):
    """The governance file cannot be read or one of its sections is malformed."""


def governance_storage(path: Path) -> Words:
    """The genesis storage words of every governance section in the JSON file at `path`."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise GovernanceFileError(f"{path}: {exc}") from None
    if not isinstance(document, dict):
        raise GovernanceFileError(f"{path}: a governance file is a JSON object")
    words: list[tuple[bytes, int, int]] = []
    for read in SECTION_READERS:
        try:
            words.extend(read(document))
        except ValueError as exc:
            raise GovernanceFileError(f"{path}: {exc}") from None
    return tuple(words)
