"""The CNS records, laid out in the storage of the CNS precompile's account.

Per name (keyed by its normalised label): owner, display spelling, version count, the latest
version's index, each version's record, the index of each pinned label, and the authorised
publishers. Per ENS node (`NAME.wabei`, `vX-Y.NAME.wabei`): which name and version it means,
so the ENS registry and resolver answer by node without knowing the name. Records are insert-only.

Well-known names (wellknown.py: the governance precompiles and their ABIs) are answered from a
constant table whenever no record is stored under the name: version 1 of such a name is the
table's entry, owned by the CNS itself (0x…1004), so nobody can publish under it or move it.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth_abi.abi import decode, encode
from eth_typing import Address

from vm_hooks.cns.wellknown import WellKnown, well_known, well_known_nodes
from vm_hooks.names import TLD, namehash
from vm_hooks.addresses import CNS
from vm_hooks.storage import MeteredStorage, slot_of

LATEST = 0  # node target index meaning "whatever version is latest"


@dataclass(frozen=True)
class Entry:
    """One published version of a name."""

    name: str
    version: str
    address: Address
    abi: str


@dataclass(frozen=True)
class NodeTarget:
    """What an ENS node under `.wabei` refers to: a name and a version index (or LATEST)."""

    label: str
    index: int  # 1-based version index, or LATEST


class CnsStore:
    """Typed reads and writes of CNS records over the precompile's metered storage."""

    def __init__(self, storage: MeteredStorage) -> None:
        self._s = storage

    # --- well-known names (answered from wellknown.py while nothing is stored under them) ---
    def builtin(self, label: str) -> WellKnown | None:
        """The well-known entry `label` means on this chain, or None (not one, or shadowed by a
        record stored before the name was reserved)."""
        entry = well_known().get(label)
        if entry is None or self._s.get_word(slot_of("count", label)):
            return None
        return entry

    def builtin_labels(self) -> list[str]:
        """The well-known labels this chain answers from the table, in the table's order."""
        return [label for label in well_known() if self.builtin(label) is not None]

    # --- names ---
    def owner(self, label: str) -> Address:
        if self.builtin(label) is not None:
            return CNS
        return Address(self._s.get_word(slot_of("owner", label)).to_bytes(20, "big"))

    def display_name(self, label: str) -> str:
        builtin = self.builtin(label)
        return builtin.name if builtin is not None else self._s.get_str(slot_of("display", label))

    def version_count(self, label: str) -> int:
        count = self._s.get_word(slot_of("count", label))
        return count or int(label in well_known())

    def name_count(self) -> int:
        return self._s.get_word(slot_of("names"))

    def name_at(self, position: int) -> str:
        return self._s.get_str(slot_of("names", position))

    # --- versions (1-based indexes; 0 means none) ---
    def entry(self, label: str, index: int) -> Entry:
        builtin = self.builtin(label) if index == 1 else None
        if builtin is not None:
            return Entry(builtin.name, builtin.version, builtin.address, builtin.abi)
        version, address, abi = decode(
            ["string", "address", "string"], self._s.get_bytes(slot_of("entry", label, index))
        )
        return Entry(self.display_name(label), version, Address(bytes.fromhex(address[2:])), abi)

    def entries(self, label: str) -> list[Entry]:
        return [self.entry(label, i) for i in range(1, self.version_count(label) + 1)]

    def index_of_pinned(self, label: str, pinned: str) -> int:
        builtin = self.builtin(label)
        if builtin is not None:
            return int(pinned == builtin.pinned)
        return self._s.get_word(slot_of("pinned", label, pinned))

    def latest_index(self, label: str) -> int:
        return 1 if self.builtin(label) is not None else self._s.get_word(slot_of("latest", label))

    # --- publishers ---
    def is_publisher(self, label: str, account: Address) -> bool:
        return bool(self._s.get_word(slot_of("publisher", label, account)))

    def set_publisher(self, label: str, account: Address, allowed: bool) -> None:
        self._s.set_word(slot_of("publisher", label, account), int(allowed))

    def set_owner(self, label: str, owner: Address) -> None:
        self._s.set_word(slot_of("owner", label), int.from_bytes(owner, "big"))

    # --- writes ---
    def create_name(self, label: str, display: str, owner: Address) -> None:
        position = self.name_count()
        self._s.set_str(slot_of("names", position), label)
        self._s.set_word(slot_of("names"), position + 1)
        self._s.set_str(slot_of("display", label), display)
        self.set_owner(label, owner)
        self._set_node(namehash(f"{label}.{TLD}"), NodeTarget(label, LATEST))

    def append_version(self, label: str, pinned: str, version: str, address: Address, abi: str) -> int:
        """Store a new version and its pinned node; returns its 1-based index."""
        index = self.version_count(label) + 1
        record = encode(["string", "address", "string"], [version, address, abi])
        self._s.set_bytes(slot_of("entry", label, index), record)
        self._s.set_word(slot_of("count", label), index)
        self._s.set_word(slot_of("pinned", label, pinned), index)
        self._set_node(namehash(f"{pinned}.{label}.{TLD}"), NodeTarget(label, index))
        return index

    def set_latest(self, label: str, index: int) -> None:
        self._s.set_word(slot_of("latest", label), index)

    # --- ENS nodes ---
    def node_target(self, node: bytes) -> NodeTarget | None:
        raw = self._s.get_bytes(slot_of("node", node))
        if not raw:
            return self._builtin_node(node)
        label, index = decode(["string", "uint256"], raw)
        return NodeTarget(label, index)

    def resolve_node(self, node: bytes) -> Entry | None:
        """The version a node points to now (following `latest` for `NAME.wabei`)."""
        target = self.node_target(node)
        if target is None:
            return None
        index = target.index or self.latest_index(target.label)
        return self.entry(target.label, index) if index else None

    def _builtin_node(self, node: bytes) -> NodeTarget | None:
        """`NAME.wabei` or `vX-Y-Z.NAME.wabei` of a well-known name this chain answers."""
        found = well_known_nodes().get(node)
        if found is None or self.builtin(found[0]) is None:
            return None
        return NodeTarget(found[0], found[1])

    def _set_node(self, node: bytes, target: NodeTarget) -> None:
        self._s.set_bytes(slot_of("node", node), encode(["string", "uint256"], [target.label, target.index]))
