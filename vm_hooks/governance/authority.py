"""Who governs a chain: the one rule every governance precompile asks before it writes.

The governors of a chain are
- the committee's address, 0x…10001 (FISCO v3's CommitteeManager), always: a passed proposal
  reaches a precompile as an internal call from it;
- the chain admin: the account a `--governance` file names (seeded at genesis in the Permission
  account's `admin` slot), or, when none is seeded, the computation class's
  `default_governance_admin` — on a devnet the first dev account (chain/backend/vm.py builds
  the class per chain), on a network chain nobody.
The default admin lives in the class rather than the genesis so that existing `--data-dir`
devnets keep their genesis hash (docs/governance.md, "Modes").

Everyone else gets a revert naming FISCO's -50000 CODE_NO_AUTHORIZED. The committee helper and
later interception/KYC work call `is_governor`/`require_governor` rather than re-deriving this.
"""
from __future__ import annotations

from eth.abc import ComputationAPI, StateAPI
from eth_typing import Address
from eth_utils.address import to_checksum_address

from vm_hooks.addresses import COMMITTEE, PERMISSION
from vm_hooks.consensus.store import StateWords
from vm_hooks.governance.store import ZERO, PermissionStore
from vm_hooks.precompile import PrecompileRevert, revert

CODE_NO_AUTHORIZED = -50000


def default_admin(computation: ComputationAPI) -> Address | None:
    """The admin the chain's computation class was built with (None: no default admin)."""
    admin: Address | None = getattr(computation, "default_governance_admin", None)
    return admin


def chain_admin(state: StateAPI, default: Address | None) -> Address | None:
    """The seeded admin if there is one, else `default`."""
    stored = PermissionStore(StateWords(state, PERMISSION)).admin()
    return stored if stored != ZERO else default


def governors(computation: ComputationAPI) -> tuple[Address, ...]:
    """The committee address, then the chain admin if the chain has one."""
    admin = chain_admin(computation.state, default_admin(computation))
    return (COMMITTEE,) if admin is None else (COMMITTEE, admin)


def is_governor(computation: ComputationAPI, account: bytes) -> bool:
    """Whether `account` may make governance changes on this chain."""
    return account in governors(computation)


def not_governor(computation: ComputationAPI, prefix: str, action: str, sender: bytes) -> PrecompileRevert:
    """The revert for `sender`, who is no governor, trying to `action`."""
    names = " or ".join(to_checksum_address(g) for g in governors(computation))
    return revert(f"{prefix}: only the chain's governors ({names}) may {action}, not "
                  f"{to_checksum_address(sender)} (FISCO {CODE_NO_AUTHORIZED} CODE_NO_AUTHORIZED)")


def require_governor(computation: ComputationAPI, sender: bytes, prefix: str, action: str) -> None:
    """Raise the revert unless `sender` is a governor."""
    if not is_governor(computation, sender):
        raise not_governor(computation, prefix, action, sender)
