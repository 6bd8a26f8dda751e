"""Who may call what: the AccessManager roles and the table of restricted functions.

The contracts carry the ``restricted`` modifier but know no role ids; this table is the one
place where functions are assigned to roles, applied by ``deploy_suite``. A function marked
``restricted`` and missing here stays ADMIN-only, which is AccessManager's safe default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import IntEnum
from typing import Any

from sharing.abi import selector
from sharing.errors import DeploymentError


class Role(IntEnum):
    """AccessManager role ids. ADMIN is AccessManager's built-in admin role (0)."""

    ADMIN = 0
    OPERATOR = 1  # the buyers' representative: onboarding, custody, delivery, buyback, settlement
    REGULATOR = 2  # compliance: KYC, blocking, freezes, forced transfers
    AUDITOR = 3  # attests profit reports and publishes welfare statements
    SYSTEM = 4  # the suite's own contracts calling each other


# contract name -> role -> functions (by name; names are unique within each contract's ABI)
PERMISSIONS: Mapping[str, Mapping[Role, tuple[str, ...]]] = {
    "ComplianceRegistry": {Role.REGULATOR: ("setRestriction", "setKycLevel")},
    "UsageRightToken": {
        Role.SYSTEM: ("mint", "burn", "unlock"),
        Role.REGULATOR: ("setFrozenTokens", "forcedTransfer"),
    },
    "AssetRegistry": {Role.OPERATOR: ("registerAsset", "addDocument")},
    "MerchantRegistry": {
        Role.OPERATOR: ("registerMerchant",),
        Role.SYSTEM: ("markDefaulted", "listingOpened", "listingClosed"),
    },
    "RiskControlVault": {Role.OPERATOR: ("recordPledge", "release"), Role.SYSTEM: ("seize",)},
    "PresaleManager": {
        Role.OPERATOR: ("activate", "confirmInstallment", "requireBuyback", "declareDefault", "close"),
        Role.SYSTEM: ("recordRedemption", "payOutSettlement"),
    },
    "ProfitSettlement": {Role.AUDITOR: ("attest",), Role.OPERATOR: ("settle",)},
    "WelfareFund": {Role.SYSTEM: ("receiveProfit", "paySubsidy"), Role.AUDITOR: ("publishStatement",)},
    "WabeiToken": {Role.SYSTEM: ("mintRebate",)},
    "ConsumptionGateway": {Role.OPERATOR: ("registerService", "retireService")},
}

# Contracts whose addresses hold the SYSTEM role.
SYSTEM_CONTRACTS: tuple[str, ...] = ("PresaleManager", "ProfitSettlement", "ConsumptionGateway")


def selectors(abi: Sequence[Mapping[str, Any]], names: Iterable[str]) -> list[bytes]:
    """The 4-byte selectors of the functions called ``names`` in ``abi``, in the order given.

    Raises ``DeploymentError`` if a name is missing or overloaded, so a renamed function cannot
    silently fall back to ADMIN-only.
    """
    out: list[bytes] = []
    for name in names:
        matches = [e for e in abi if e.get("type") == "function" and e.get("name") == name]
        if len(matches) != 1:
            raise DeploymentError(f"expected one function {name!r} in the ABI, found {len(matches)}")
        out.append(selector(matches[0]))
    return out
