"""A governed chain's initial committee, from the `"committee"` key of its governance file
(`wabei node --governance FILE`), as the genesis storage words of the committee's account.

    "committee": {"members": {"0xADDRESS": weight, ...}, "participatesRate": 0..100, "winRate": 0..100}

Only that key is read here; the file's other keys belong to the other governance precompiles.
A missing rate is FISCO's default, 0. Written by the same store code the precompile writes with,
so every node that reads the same file seeds the same words.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_utils.address import is_address, to_canonical_address

from vm_hooks.addresses import COMMITTEE
from vm_hooks.committee.rules import MAX_WEIGHT, check_rates
from vm_hooks.committee.store import CommitteeStore
from vm_hooks.consensus.store import DictWords

KEY = "committee"


class CommitteeFileError(ValueError):
    """The committee section of a governance file is malformed; the message says where."""


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CommitteeFileError(f"{where} must be an integer, not {value!r}")
    return int(value)


def _members(raw: Any) -> dict[bytes, int]:
    if not isinstance(raw, Mapping) or not raw:
        raise CommitteeFileError('"committee.members" must be a non-empty object {"0xADDRESS": weight}')
    members: dict[bytes, int] = {}
    for text, weight in raw.items():
        if not isinstance(text, str) or not is_address(text):
            raise CommitteeFileError(f'"committee.members": {text!r} is not an address')
        value = _int(weight, f'"committee.members".{text}')
        if not 1 <= value <= MAX_WEIGHT:
            raise CommitteeFileError(f'"committee.members".{text}: a weight is from 1 to {MAX_WEIGHT}, not {value}')
        address = to_canonical_address(text)
        if address in members:
            raise CommitteeFileError(f'"committee.members": {text} is listed twice')
        members[address] = value
    return members


def committee_words(document: Mapping[str, Any]) -> tuple[tuple[bytes, int, int], ...]:
    """(address, slot, value) words for ChainConfig.genesis_storage from a parsed governance
    file; () when it has no "committee" key. Raises CommitteeFileError."""
    if KEY not in document:
        return ()
    section = document[KEY]
    if not isinstance(section, Mapping):
        raise CommitteeFileError('"committee" must be an object with "members", "participatesRate", "winRate"')
    unknown = set(section) - {"members", "participatesRate", "winRate"}
    if unknown:
        raise CommitteeFileError(f'"committee" has unknown keys {sorted(unknown)}; it takes "members", '
                                 '"participatesRate" and "winRate"')
    members = _members(section.get("members"))
    rates = (_int(section.get("participatesRate", 0), '"committee.participatesRate"'),
             _int(section.get("winRate", 0), '"committee.winRate"'))
    try:
        check_rates(*rates)
    except ValueError as exc:
        raise CommitteeFileError(f'"committee": {exc}') from None
    words = DictWords()
    store = CommitteeStore(words)
    store.mark_initialised()
    store.set_rates(*rates)
    for member, weight in members.items():
        store.set_weight(member, weight)
    return tuple((bytes(COMMITTEE), slot, value) for slot, value in sorted(words.slots.items()) if value)
