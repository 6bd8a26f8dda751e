"""A governed chain's starting rules: the `--governance FILE` JSON, checked, and the genesis
storage it becomes.

    {
      "admin": "0xf39F…2266",                 the chain admin (a governor beside the committee)
      "deployAuthType": "white",              "open" (default), "white" or "black"
      "openDeployAuth": ["0x…", …],           accounts opened (white list) …
      "closeDeployAuth": ["0x…", …],          … or closed (black list) for deploying
      "frozenAccounts": ["0x…", …],           accounts frozen from block 0
      "systemConfig": {"tx_count_limit": "500", "tx_gas_limit": "3000000"},
      "regulators": ["0x…", …],               regulators of the interception rules (0x…1010)
      "kycIssuers": ["0x…", …]                issuers of the identity registry (0x…1011)
    }

Every field is optional; unknown fields are refused (a typo must not silently leave a chain
open). A governed chain records each new contract's admin (tx.origin of its deployment) from
block 0, as FISCO does once auth checks are on. The words are laid out by the same store code
the precompiles write with (store.py), so the genesis and later transactions agree.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_typing import Address
from eth_utils.address import is_address, to_canonical_address

from vm_hooks.addresses import ACCOUNT_MANAGER, IDENTITY, PERMISSION, REGULATION, SYSTEM_CONFIG
from vm_hooks.consensus.store import DictWords
from vm_hooks.governance.store import (
    BLACK_LIST, CLOSED, FLAG_ACCOUNT, FLAG_ADMINS, FLAG_CONFIG, FROZEN, OPEN, OPENED, WHITE_LIST,
    AccountStore, ConfigStore, PermissionStore,
)
from vm_hooks.governance.sysconfig import check_entry
from vm_hooks.regulation.store import IdentityStore, RegulationStore

_MODES = {"open": OPEN, "white": WHITE_LIST, "black": BLACK_LIST}
# "committee" is the committee's own section, read by vm_hooks/committee/genesis.py.
_FIELDS = {"admin", "deployAuthType", "openDeployAuth", "closeDeployAuth", "frozenAccounts", "systemConfig",
           "committee", "regulators", "kycIssuers"}


class GovernanceFileError(ValueError):
    """A governance file the chain cannot start from; the message names the field."""


@dataclass(frozen=True)
class GovernanceGenesis:
    """The checked content of a governance file (addresses as 20 bytes)."""

    admin: bytes | None = None
    deploy_type: int = OPEN
    open_deploy: tuple[bytes, ...] = ()
    close_deploy: tuple[bytes, ...] = ()
    frozen: tuple[bytes, ...] = ()
    system_config: tuple[tuple[str, int], ...] = field(default_factory=tuple)
    regulators: tuple[bytes, ...] = ()
    kyc_issuers: tuple[bytes, ...] = ()

    def storage(self) -> dict[Address, dict[int, int]]:
        """Address → genesis storage of each governance account this file seeds."""
        permission, accounts, config = DictWords(), DictWords(), DictWords()
        store = PermissionStore(permission)
        if self.admin is not None:
            store.set_admin(self.admin)
        store.set_deploy_type(self.deploy_type)
        for account in self.open_deploy:
            store.set_deploy_entry(self.deploy_type, account, OPENED)
        for account in self.close_deploy:
            store.set_deploy_entry(self.deploy_type, account, CLOSED)
        for account in self.frozen:
            AccountStore(accounts).set_status(account, FROZEN)
        for key, value in self.system_config:
            ConfigStore(config).set(key, value, 0)
        store.add_flag(FLAG_ADMINS | (FLAG_ACCOUNT if self.frozen else 0) | (FLAG_CONFIG if self.system_config else 0))
        regulation, identity = DictWords(), DictWords()
        for account in self.regulators:
            RegulationStore(regulation).set_regulator(account, True)
        for account in self.kyc_issuers:
            IdentityStore(identity).set_issuer(account, True)
        seeded = {PERMISSION: permission.slots, ACCOUNT_MANAGER: accounts.slots, SYSTEM_CONFIG: config.slots,
                  REGULATION: regulation.slots, IDENTITY: identity.slots}
        return {address: slots for address, slots in seeded.items() if slots}


def _address(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not is_address(value):
        raise GovernanceFileError(f"{where}: {value!r} is not an address")
    return bytes(to_canonical_address(value))


def _addresses(doc: dict[str, Any], name: str) -> tuple[bytes, ...]:
    values = doc.get(name, [])
    if not isinstance(values, list):
        raise GovernanceFileError(f"{name} must be a list of addresses")
    return tuple(_address(v, f"{name}[{i}]") for i, v in enumerate(values))


def _refuse_frozen_members(committee: Any, frozen: tuple[bytes, ...]) -> None:
    """A committee member cannot start frozen (the committee's own section is checked by
    vm_hooks/committee/genesis.py; only the overlap with frozenAccounts is this file's)."""
    members = committee.get("members") if isinstance(committee, dict) else None
    for text in members if isinstance(members, dict) else ():
        if isinstance(text, str) and is_address(text) and to_canonical_address(text) in frozen:
            raise GovernanceFileError(f"committee member {text} cannot be in frozenAccounts")


def parse_governance(doc: Any) -> GovernanceGenesis:
    """Check a decoded governance document; raises GovernanceFileError naming the bad field."""
    if not isinstance(doc, dict):
        raise GovernanceFileError("a governance file is a JSON object")
    unknown = set(doc) - _FIELDS
    if unknown:
        raise GovernanceFileError(f"unknown field(s) {', '.join(sorted(unknown))}; the fields are "
                                  f"{', '.join(sorted(_FIELDS))}")
    mode_name = doc.get("deployAuthType", "open")
    if mode_name not in _MODES:
        raise GovernanceFileError(f"deployAuthType must be one of {', '.join(_MODES)}, not {mode_name!r}")
    mode = _MODES[mode_name]
    opened, closed = _addresses(doc, "openDeployAuth"), _addresses(doc, "closeDeployAuth")
    if (opened or closed) and mode == OPEN:
        raise GovernanceFileError("openDeployAuth/closeDeployAuth need deployAuthType white or black")
    admin = _address(doc["admin"], "admin") if "admin" in doc else None
    frozen = _addresses(doc, "frozenAccounts")
    if admin is not None and admin in frozen:
        raise GovernanceFileError("the admin cannot be in frozenAccounts")
    _refuse_frozen_members(doc.get("committee"), frozen)
    config = doc.get("systemConfig", {})
    if not isinstance(config, dict):
        raise GovernanceFileError("systemConfig must be an object of key: value strings")
    entries = []
    for key, value in config.items():
        try:
            entries.append((key, check_entry(key, str(value))))
        except ValueError as exc:
            raise GovernanceFileError(f"systemConfig: {exc}") from None
    regulators, issuers = _addresses(doc, "regulators"), _addresses(doc, "kycIssuers")
    if b"\x00" * 20 in regulators + issuers:
        raise GovernanceFileError("regulators/kycIssuers: the zero address cannot hold a role")
    if set(regulators) & set(frozen):
        raise GovernanceFileError("a regulator cannot be in frozenAccounts")
    return GovernanceGenesis(admin, mode, opened, closed, frozen, tuple(entries), regulators, issuers)


def load_governance(path: Path) -> GovernanceGenesis:
    """Read and check a governance file; raises GovernanceFileError (also for unreadable JSON)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GovernanceFileError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise GovernanceFileError(f"{path} is not JSON: {exc}") from None
    return parse_governance(doc)
