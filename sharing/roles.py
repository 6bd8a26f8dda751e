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
    PRESALE = 4  # held only by PresaleManager: mints, burns, unlocks units; counts listings; seizes stakes
    GATEWAY = 5  # held only by ConsumptionGateway: records redemptions, mints WBT rebates


# contract name -> role -> functions (by name; names are unique within each contract's ABI)
PERMISSIONS: Mapping[str, Mapping[Role, tuple[str, ...]]] = {
    "ComplianceRegistry": {Role.REGULATOR: ("setRestriction", "setKycLevel")},
    "UsageRightToken": {
        Role.PRESALE: ("mint", "burn", "unlock"),
        Role.REGULATOR: ("setFrozenTokens", "forcedTransfer"),
    },
    "AssetRegistry": {Role.OPERATOR: ("registerAsset", "addDocument")},
    "MerchantRegistry": {
        Role.OPERATOR: ("registerMerchant",),
        Role.PRESALE: ("markDefaulted", "listingOpened", "listingClosed"),
    },
    "RiskControlVault": {Role.OPERATOR: ("recordPledge", "release"), Role.PRESALE: ("seize",)},
    "PresaleManager": {
        Role.OPERATOR: ("activate", "confirmInstallment", "requireBuyback", "declareDefault", "close"),
        Role.GATEWAY: ("recordRedemption",),
    },
    "ProfitSettlement": {Role.AUDITOR: ("attest",), Role.OPERATOR: ("settle",)},
    "WelfareFund": {Role.AUDITOR: ("publishStatement",)},
    "WabeiToken": {Role.GATEWAY: ("mintRebate",)},
    "ConsumptionGateway": {Role.OPERATOR: ("registerService", "retireService")},
}
# Not in the table, because no role grant may widen them: PresaleManager.payOutSettlement (only the
# ProfitSettlement address fixed at deployment), WelfareFund.receiveProfit (only the presale) and
# WelfareFund.paySubsidy (only the gateway). They check msg.sender against immutables.

# The contract whose address holds each role given to a contract; one contract per role.
CONTRACT_ROLES: Mapping[Role, str] = {Role.PRESALE: "PresaleManager", Role.GATEWAY: "ConsumptionGateway"}

# Seconds before a new role grant takes effect, and before a target's function-to-role table or
# admin delay can change (AccessManager's grant delay and target admin delay). AccessManager applies
# a change of these delays only after its minimum setback of 5 days, so they bind from then on.
ADMIN_DELAY_SECONDS = 2 * 86_400


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
