"""Well-known CNS names: the platform's governance precompiles, resolvable by name with their
ABIs, on every chain, with nothing to deploy or register.

    SystemConfig      0x…1000   FISCO SystemConfigPrecompiled
    ContractAuth      0x…1005   FISCO v3 ContractAuthPrecompiled (also under "Permission")
    AccountManager    0x…10003  FISCO v3 AccountManagerPrecompiled
    CommitteeManager  0x…10001  FISCO v3 CommitteeManager

each at version 1.0.0, so `selectByName("SystemConfig")`, `CnsClient.contract("ContractAuth")`,
`w3.ens.address("committeemanager.wabei")` and the resolver's `ABI(node, 1)` answer, and a
client or explorer can decode calls to these addresses from the chain alone.

Why built in rather than registered: registering them at genesis would change every open
devnet's genesis hash (existing `--data-dir` devnets would refuse to open), and registering
them "by the first run" needs a signer that network chains do not have. So the CNS store
(store.py) answers these names from this table whenever the chain has no stored record under
the name: no storage, no transaction, the same answer on every node because the table is code.
A stored record wins (a chain on which someone published one of these names before they were
reserved keeps its answer); on any other chain `insert` refuses them (fisco.py).

The ABI is derived from the precompile's own method table (plus the events listed here), so it
cannot drift from what the precompile accepts. To publish another precompile (the regulation
precompile, say), add a line to `_sources()`: a name, the precompile object and its events.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from eth_typing import Address

from vm_hooks.names import TLD, namehash, normalize_label, pinned_label
from vm_hooks.precompile import AbiPrecompile, Method, split_types

VERSION = "1.0.0"
Event = tuple[str, tuple[tuple[str, str, bool], ...]]  # name, ((field, type, indexed), ...)


@dataclass(frozen=True)
class WellKnown:
    """One built-in CNS name: what `insert(name, version, address, abi)` would have stored."""

    name: str
    version: str
    address: Address
    abi: str

    @property
    def label(self) -> str:
        return normalize_label(self.name)

    @property
    def pinned(self) -> str:
        return pinned_label(self.version)


def _param(type_: str, name: str, indexed: bool | None = None) -> dict[str, Any]:
    """One ABI JSON parameter; a tuple type gets its components."""
    out: dict[str, Any] = {"name": name, "type": type_}
    if type_.startswith("("):
        close = type_.rindex(")")
        out["type"] = "tuple" + type_[close + 1:]
        out["components"] = [_param(t, f"field{i}") for i, t in enumerate(split_types(type_[1:close]))]
    if indexed is not None:
        out["indexed"] = indexed
    return out


def abi_json(methods: Sequence[Method], events: Sequence[Event]) -> str:
    """The JSON ABI of a precompile speaking `methods` and emitting `events` (compact, stable)."""
    entries: list[dict[str, Any]] = []
    for method in methods:
        entries.append({
            "type": "function", "name": method.signature[:method.signature.index("(")],
            "stateMutability": "nonpayable" if method.mutates else "view",
            "inputs": [_param(t, f"arg{i}") for i, t in enumerate(method.input_types)],
            "outputs": [_param(t, "") for t in method.outputs],
        })
    for name, fields in events:
        entries.append({"type": "event", "name": name, "anonymous": False,
                        "inputs": [_param(t, n, indexed) for n, t, indexed in fields]})
    return json.dumps(entries, separators=(",", ":"), sort_keys=True)


_ADDRESS = ("address", True)
PERMISSION_EVENTS: tuple[Event, ...] = (
    ("DeployAuthTypeSet", (("authType", "uint8", False),)),
    ("DeployAuthChanged", (("account", "address", True), ("open", "bool", False))),
    ("MethodAuthTypeSet", (("contractAddr", "address", True), ("func", "bytes4", False), ("authType", "uint8", False))),
    ("MethodAuthChanged", (("contractAddr", "address", True), ("func", "bytes4", False),
                           ("account", "address", True), ("open", "bool", False))),
    ("ContractStatusChanged", (("contractAddr", "address", True), ("status", "uint8", False))),
    ("AdminReset", (("contractAddr", "address", True), ("admin", "address", False))),
)
SYSTEM_CONFIG_EVENTS: tuple[Event, ...] = (
    ("SystemConfigChanged", (("key", "string", False), ("value", "string", False), ("enableNumber", "int64", False))),
)
ACCOUNT_EVENTS: tuple[Event, ...] = (
    ("AccountStatusChanged", (("account", "address", True), ("status", "uint8", False))),
)


def _sources() -> tuple[tuple[str, AbiPrecompile, Sequence[Event]], ...]:
    """(CNS name, precompile, its events) of every well-known name. Imported here, not at the
    top, so that the CNS does not import the governance packages until a name is asked for."""
    from vm_hooks.committee.precompile import COMMITTEE_PRECOMPILE, EVENTS
    from vm_hooks.governance.accounts import ACCOUNT_MANAGER_PRECOMPILE
    from vm_hooks.governance.permission import PERMISSION_PRECOMPILE
    from vm_hooks.governance.sysconfig import SYSTEM_CONFIG_PRECOMPILE
    from vm_hooks.regulation.identity import EVENTS as IDENTITY_EVENTS
    from vm_hooks.regulation.identity import IDENTITY_PRECOMPILE
    from vm_hooks.regulation.precompile import EVENTS as REGULATION_EVENTS
    from vm_hooks.regulation.precompile import REGULATION_PRECOMPILE
    return (
        ("SystemConfig", SYSTEM_CONFIG_PRECOMPILE, SYSTEM_CONFIG_EVENTS),
        ("ContractAuth", PERMISSION_PRECOMPILE, PERMISSION_EVENTS),
        ("Permission", PERMISSION_PRECOMPILE, PERMISSION_EVENTS),
        ("AccountManager", ACCOUNT_MANAGER_PRECOMPILE, ACCOUNT_EVENTS),
        ("CommitteeManager", COMMITTEE_PRECOMPILE, EVENTS),
        ("Regulation", REGULATION_PRECOMPILE, REGULATION_EVENTS),
        ("IdentityRegistry", IDENTITY_PRECOMPILE, IDENTITY_EVENTS),
    )


@lru_cache(maxsize=1)
def well_known() -> dict[str, WellKnown]:
    """Normalised label → built-in entry (a constant table, computed once)."""
    entries = (WellKnown(name, VERSION, precompile.address, abi_json(precompile.methods, events))
               for name, precompile, events in _sources())
    return {entry.label: entry for entry in entries}


@lru_cache(maxsize=1)
def well_known_nodes() -> dict[bytes, tuple[str, int]]:
    """ENS node → (label, version index; 0 = latest) of every well-known name: `NAME.wabei` and
    `vX-Y-Z.NAME.wabei`."""
    nodes: dict[bytes, tuple[str, int]] = {}
    for label, entry in well_known().items():
        nodes[namehash(f"{label}.{TLD}")] = (label, 0)
        nodes[namehash(f"{entry.pinned}.{label}.{TLD}")] = (label, 1)
    return nodes
