"""Wabei's computation class: py-evm's Prague computation plus the platform precompiles.

This is the extension point py-evm offers (`configure()` with a merged precompile map, and a
subclass that overrides `apply_message`); the VM picks it up through the state class in
chain/backend/vm.py. console.log capture (vm_hooks/console_log.py) sits in front of Prague's
class; governance (vm_hooks/governance/computation.py) checks every message frame after it.
"""
from __future__ import annotations

from collections.abc import Callable

from eth.abc import ComputationAPI
from eth.vm.forks.prague.computation import PRAGUE_PRECOMPILES, PragueComputation
from eth_typing import Address

from vm_hooks.addresses import SYSTEM_STUB_CODE
from vm_hooks.cns.ens import (
    CNS_RESOLVER_PRECOMPILE,
    ENS_REGISTRY_PRECOMPILE,
    UNIVERSAL_RESOLVER_PRECOMPILE,
)
from vm_hooks.cns.fisco import CNS_PRECOMPILE
from vm_hooks.committee.precompile import COMMITTEE_PRECOMPILE
from vm_hooks.consensus.precompile import CONSENSUS_PRECOMPILE
from vm_hooks.console_log import ConsoleObservingComputation
from vm_hooks.governance.accounts import ACCOUNT_MANAGER_PRECOMPILE
from vm_hooks.governance.computation import GovernedComputation
from vm_hooks.governance.permission import PERMISSION_PRECOMPILE
from vm_hooks.governance.sysconfig import SYSTEM_CONFIG_PRECOMPILE
from vm_hooks.precompile import AbiPrecompile
from vm_hooks.trust.precompile import TRUST_LIST_PRECOMPILE

PLATFORM_PRECOMPILES: tuple[AbiPrecompile, ...] = (
    CONSENSUS_PRECOMPILE,
    CNS_PRECOMPILE,
    CNS_RESOLVER_PRECOMPILE,
    ENS_REGISTRY_PRECOMPILE,
    UNIVERSAL_RESOLVER_PRECOMPILE,
    TRUST_LIST_PRECOMPILE,  # the consortium trust list (vm_hooks/trust/)
    COMMITTEE_PRECOMPILE,  # committee governance at 0x…10001 (vm_hooks/committee/)
)

# Governance precompiles (vm_hooks/governance/): no genesis creates their accounts unless a
# --governance file seeds them; the first write creates one (vm_hooks/governance/writes.py), so
# an existing devnet's genesis hash is unchanged.
GOVERNANCE_PRECOMPILES: tuple[AbiPrecompile, ...] = (
    SYSTEM_CONFIG_PRECOMPILE,
    PERMISSION_PRECOMPILE,
    ACCOUNT_MANAGER_PRECOMPILE,
)

_precompile_map: dict[Address, Callable[[ComputationAPI], ComputationAPI]] = {
    **PRAGUE_PRECOMPILES,
    **{p.address: p for p in PLATFORM_PRECOMPILES + GOVERNANCE_PRECOMPILES},
}

# Console capture sees every message first; governance may then refuse it; then Prague runs it.
# A chain's class is this one configured with its default admin (chain/backend/vm.py).
WabeiComputation: type[PragueComputation] = type(
    "WabeiPragueComputation", (ConsoleObservingComputation, GovernedComputation, PragueComputation),
    {"_precompiles": _precompile_map},
)


# Precompiles whose account only a network chain's genesis creates: the Consensus precompile and
# the trust list have no admin on a devnet (they refuse every change there), and adding their
# accounts to the devnet's genesis would make every existing --data-dir devnet refuse to open.
NETWORK_ONLY_ACCOUNTS = frozenset({CONSENSUS_PRECOMPILE.address, TRUST_LIST_PRECOMPILE.address})
# Precompiles whose account no genesis creates for them: the committee's (0x…10001) is created by
# a governed chain's genesis storage (chain/genesis.py `with_storage`) or by its first write on
# a devnet (vm_hooks/committee/committee.py), so no existing chain's genesis hash changes.
LAZY_ACCOUNTS = frozenset({COMMITTEE_PRECOMPILE.address})


def system_accounts(network: bool = True) -> dict[Address, bytes]:
    """Address → code of every account the genesis must create for the platform precompiles;
    a devnet's genesis (`network=False`) leaves out NETWORK_ONLY_ACCOUNTS."""
    return {p.address: SYSTEM_STUB_CODE for p in PLATFORM_PRECOMPILES
            if p.address not in LAZY_ACCOUNTS and (network or p.address not in NETWORK_ONLY_ACCOUNTS)}
