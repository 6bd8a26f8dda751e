"""Deploy and wire the sharing suite from the committed artefacts, over web3, in one call.

``deploy_suite`` is the composition root: it deploys every contract, assigns the functions of
``roles.PERMISSIONS`` to roles, grants the roles, lets the gateway set house users, and (by
default) hands the AccessManager's admin role to the custodian council. Registration in CNS is a
separate, final step, ``register_in_cns``. Which calls the wiring makes is decided by pure
functions (``role_grants``, ``target_roles``) so it can be read and tested without a node.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import rlp
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from deploy.compile import load_artifact
from sharing.errors import DeploymentError, TransactionFailedError
from sharing.roles import ADMIN_DELAY_SECONDS, CONTRACT_ROLES, PERMISSIONS, Role, selectors
from transact.send import TransactionReverted, send_and_wait

CONTRACTS: tuple[str, ...] = (
    "SharingAccessManager",
    "ComplianceRegistry",
    "WabeiToken",
    "UsageRightToken",
    "AssetRegistry",
    "MerchantRegistry",
    "RiskControlVault",
    "CustodianCouncil",
    "WelfareFund",
    "PresaleManager",
    "ProfitSettlement",
    "ConsumptionGateway",
)

# The CNS (FISCO `insert`) label of each contract; the ENS name is `<label>.wabei`.
CNS_LABELS: Mapping[str, str] = {
    "SharingAccessManager": "sharing-access",
    "ComplianceRegistry": "sharing-compliance",
    "WabeiToken": "wbt",
    "UsageRightToken": "usage-rights",
    "AssetRegistry": "sharing-assets",
    "MerchantRegistry": "sharing-merchants",
    "RiskControlVault": "risk-vault",
    "CustodianCouncil": "custodian-council",
    "WelfareFund": "welfare-fund",
    "PresaleManager": "presale",
    "ProfitSettlement": "profit-settlement",
    "ConsumptionGateway": "consumption-gateway",
}

CNS_ADDRESS = Web3.to_checksum_address("0x0000000000000000000000000000000000001004")
CNS_INSERT_ABI: list[dict[str, Any]] = [{
    "type": "function", "name": "insert", "stateMutability": "nonpayable",
    "inputs": [{"name": n, "type": "string"} for n in ("name", "version", "addr", "abi")],
    "outputs": [{"name": "", "type": "uint256"}],
}]


@dataclass(frozen=True)
class SuiteAccounts:
    """The people of the story, as unlocked node accounts.

    ``deployer`` is the initiator: it deploys, wires, and is one of the five custodians.
    ``operator`` is the buyers' representative and the houses' custodian.
    """

    deployer: ChecksumAddress
    operator: ChecksumAddress
    regulator: ChecksumAddress
    auditor: ChecksumAddress
    custodians: tuple[ChecksumAddress, ...]

    @classmethod
    def from_node(cls, accounts: Sequence[str]) -> SuiteAccounts:
        """The standard cast from a dev node's accounts: 0 initiator, 1 operator, 2 regulator,
        3 auditor, custodians 0 (initiator), 4 (notary), 5 (law firm), 3 (auditor), 6 (bank).
        Accounts 7..9 stay free for merchants and buyers."""
        if len(accounts) < 7:
            raise DeploymentError(f"need at least 7 accounts, got {len(accounts)}")
        a = [Web3.to_checksum_address(x) for x in accounts]
        return cls(deployer=a[0], operator=a[1], regulator=a[2], auditor=a[3],
                   custodians=(a[0], a[4], a[5], a[3], a[6]))


@dataclass(frozen=True)
class SuiteConfig:
    """Deployment parameters. Amounts in wei (WBT in base units of 10**-18 WBT)."""

    wbt_cap: int = 10**9 * 10**18
    min_share_units: int = 100  # share units of the merchant pledged to the initiator
    min_bond: int = 10**18  # 1 ETH
    rebate_bps: int = 1_000  # 10% of consumption value, as WBT
    threshold: int = 3  # council approvals needed
    token_uri: str = "wabei://usage-rights/{id}"
    hand_over_admin: bool = True  # give ADMIN to the council and drop the deployer's
    admin_delay: int = ADMIN_DELAY_SECONDS  # seconds: grant delay of every role, admin delay of every target


@dataclass(frozen=True)
class SuiteDeployment:
    """Where the suite lives: contract name -> address, plus the cast and the config used."""

    accounts: SuiteAccounts
    config: SuiteConfig
    addresses: Mapping[str, ChecksumAddress] = field(default_factory=dict)

    def address(self, name: str) -> ChecksumAddress:
        """The address of contract ``name``; raises ``DeploymentError`` if it is not in the suite."""
        try:
            return self.addresses[name]
        except KeyError:
            raise DeploymentError(f"{name} is not part of this deployment") from None

    def contract(self, w3: Web3, name: str) -> Contract:
        """A web3 contract object for ``name`` with the ABI from its artefact."""
        return w3.eth.contract(address=self.address(name), abi=load_artifact(name).abi)

    def to_json(self) -> str:
        """The deployment as JSON (accounts, config, addresses), e.g. for a demo or a later session."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SuiteDeployment:
        """The inverse of ``to_json``; raises ``DeploymentError`` if the JSON is not a deployment."""
        try:
            raw = json.loads(text)
            acc = raw["accounts"]
            accounts = SuiteAccounts(
                deployer=Web3.to_checksum_address(acc["deployer"]),
                operator=Web3.to_checksum_address(acc["operator"]),
                regulator=Web3.to_checksum_address(acc["regulator"]),
                auditor=Web3.to_checksum_address(acc["auditor"]),
                custodians=tuple(Web3.to_checksum_address(x) for x in acc["custodians"]),
            )
            addresses = {str(k): Web3.to_checksum_address(v) for k, v in raw["addresses"].items()}
            return cls(accounts, SuiteConfig(**raw["config"]), addresses)
        except (ValueError, KeyError, TypeError) as exc:
            raise DeploymentError(f"not a sharing deployment: {exc}") from exc


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    account: ChecksumAddress


@dataclass(frozen=True)
class TargetRole:
    target: ChecksumAddress
    role: Role
    selectors: tuple[bytes, ...]


def role_grants(addresses: Mapping[str, ChecksumAddress], accounts: SuiteAccounts) -> list[RoleGrant]:
    """Every role grant the wiring makes (the ADMIN hand-over is separate)."""
    people = [RoleGrant(Role.OPERATOR, accounts.operator), RoleGrant(Role.REGULATOR, accounts.regulator),
              RoleGrant(Role.AUDITOR, accounts.auditor)]
    return people + [RoleGrant(role, addresses[name]) for role, name in CONTRACT_ROLES.items()]


def target_roles(addresses: Mapping[str, ChecksumAddress],
                 abis: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[TargetRole]:
    """Every ``setTargetFunctionRole`` call the wiring makes, from ``roles.PERMISSIONS``."""
    return [TargetRole(addresses[name], role, tuple(selectors(abis[name], functions)))
            for name, by_role in PERMISSIONS.items() for role, functions in by_role.items()]


def send(w3: Web3, call: Any, sender: str, action: str, value: int = 0) -> TxReceipt:
    """Send a contract call from an unlocked ``sender``, wait for it and return the receipt.

    A revert found while estimating gas raises web3's ContractCustomError/ContractLogicError;
    a transaction mined with status 0 raises ``TransactionFailedError``. ``action`` names the
    step in that error's message.
    """
    try:
        return send_and_wait(w3, call, sender, value=value, timeout=60)
    except TransactionReverted as exc:
        raise TransactionFailedError(action, exc.tx_hash, exc.reason) from None


def _deploy(w3: Web3, name: str, sender: str, *args: Any) -> ChecksumAddress:
    art = load_artifact(name)
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = send(w3, factory.constructor(*args), sender, f"deploy {name}")
    address = receipt.get("contractAddress")
    if address is None:
        raise DeploymentError(f"deploying {name} created no contract")
    return Web3.to_checksum_address(address)


def create_address(sender: str, nonce: int) -> ChecksumAddress:
    """The address a CREATE from ``sender`` at ``nonce`` gives: keccak(rlp([sender, nonce]))[12:]."""
    encoded = rlp.encode([bytes.fromhex(sender.removeprefix("0x")), nonce])
    return Web3.to_checksum_address(Web3.keccak(encoded)[12:])


# Contracts that point at each other through immutables: deployed last, in this order, at addresses
# computed in advance from the deployer's nonce.
LATE: tuple[str, ...] = ("WelfareFund", "PresaleManager", "ProfitSettlement", "ConsumptionGateway")


def deploy_contracts(w3: Web3, accounts: SuiteAccounts, config: SuiteConfig) -> dict[str, ChecksumAddress]:
    """Deploy the twelve contracts in dependency order; no wiring. Returns addresses by name.

    The four ``LATE`` contracts refer to one another through immutable addresses (the welfare fund
    reads the gateway's redemptions, ...), so their addresses are predicted from the deployer's
    nonce; ``DeploymentError`` if another transaction from the deployer shifts them.
    """
    me = accounts.deployer
    a: dict[str, ChecksumAddress] = {}
    a["SharingAccessManager"] = _deploy(w3, "SharingAccessManager", me, me)
    auth = a["SharingAccessManager"]
    a["ComplianceRegistry"] = _deploy(w3, "ComplianceRegistry", me, auth)
    comp = a["ComplianceRegistry"]
    a["WabeiToken"] = _deploy(w3, "WabeiToken", me, auth, comp, config.wbt_cap)
    a["UsageRightToken"] = _deploy(w3, "UsageRightToken", me, auth, comp, config.token_uri)
    a["AssetRegistry"] = _deploy(w3, "AssetRegistry", me, auth, comp)
    a["MerchantRegistry"] = _deploy(w3, "MerchantRegistry", me, auth, comp)
    a["RiskControlVault"] = _deploy(w3, "RiskControlVault", me, auth, a["MerchantRegistry"],
                                    config.min_share_units, config.min_bond)
    a["CustodianCouncil"] = _deploy(w3, "CustodianCouncil", me, list(accounts.custodians), config.threshold)
    nonce = w3.eth.get_transaction_count(me, "pending")
    late = {name: create_address(me, nonce + i) for i, name in enumerate(LATE)}
    a["WelfareFund"] = _deploy(w3, "WelfareFund", me, auth, a["CustodianCouncil"], late["ConsumptionGateway"],
                               late["PresaleManager"])
    a["PresaleManager"] = _deploy(w3, "PresaleManager", me, auth, a["UsageRightToken"], a["AssetRegistry"],
                                  a["MerchantRegistry"], a["RiskControlVault"], a["WelfareFund"], comp,
                                  late["ProfitSettlement"])
    a["ProfitSettlement"] = _deploy(w3, "ProfitSettlement", me, auth, a["PresaleManager"])
    gateway_wiring = (a["PresaleManager"], a["UsageRightToken"], a["AssetRegistry"], a["WabeiToken"],
                      a["WelfareFund"], a["MerchantRegistry"], comp)
    a["ConsumptionGateway"] = _deploy(w3, "ConsumptionGateway", me, auth, gateway_wiring, config.rebate_bps)
    for name, predicted in late.items():
        if a[name] != predicted:
            raise DeploymentError(f"{name} landed at {a[name]}, not at the predicted {predicted}")
    return a


def wire(w3: Web3, deployment: SuiteDeployment) -> None:
    """Assign functions to roles, grant the roles, approve the gateway, set the grant and target admin
    delays, hand ADMIN to the council."""
    accounts, config = deployment.accounts, deployment.config
    me = accounts.deployer
    manager = deployment.contract(w3, "SharingAccessManager")
    abis = {name: load_artifact(name).abi for name in PERMISSIONS}
    for role in Role:
        if role is not Role.ADMIN:
            send(w3, manager.functions.labelRole(int(role), role.name), me, f"label {role.name}")
    for t in target_roles(deployment.addresses, abis):
        send(w3, manager.functions.setTargetFunctionRole(t.target, list(t.selectors), int(t.role)), me,
             f"assign {t.role.name} functions")
    for g in role_grants(deployment.addresses, accounts):
        send(w3, manager.functions.grantRole(int(g.role), g.account, 0), me, f"grant {g.role.name}")
    # The operator holds the houses; the gateway sets their ERC-4907 user when nights are redeemed.
    assets = deployment.contract(w3, "AssetRegistry")
    send(w3, assets.functions.setApprovalForAll(deployment.address("ConsumptionGateway"), True),
         accounts.operator, "approve gateway")
    # From now on (after AccessManager's 5-day setback) a grant, or a change of a target's function
    # table, becomes effective only after ``admin_delay``: whoever holds ADMIN cannot act unseen.
    for role in Role:
        send(w3, manager.functions.setGrantDelay(int(role), config.admin_delay), me, f"grant delay {role.name}")
    for name in PERMISSIONS:
        send(w3, manager.functions.setTargetAdminDelay(deployment.address(name), config.admin_delay), me,
             f"admin delay {name}")
    if config.hand_over_admin:
        send(w3, manager.functions.grantRole(int(Role.ADMIN), deployment.address("CustodianCouncil"), 0), me,
             "grant ADMIN to council")
        send(w3, manager.functions.renounceRole(int(Role.ADMIN), me), me, "renounce ADMIN")


def deploy_suite(w3: Web3, accounts: SuiteAccounts | Sequence[str],
                 config: SuiteConfig | None = None) -> SuiteDeployment:
    """Deploy and wire the whole suite; ``accounts`` is a ``SuiteAccounts`` or a node's account list.

    Every sender must be an unlocked account of the node (eth_sendTransaction). Registration in
    CNS is not part of this: call ``register_in_cns`` afterwards.
    """
    cast = accounts if isinstance(accounts, SuiteAccounts) else SuiteAccounts.from_node(accounts)
    cfg = config if config is not None else SuiteConfig()
    deployment = SuiteDeployment(cast, cfg, deploy_contracts(w3, cast, cfg))
    wire(w3, deployment)
    return deployment


def register_in_cns(w3: Web3, deployment: SuiteDeployment, version: str = "1.0.0",
                    labels: Mapping[str, str] = CNS_LABELS) -> dict[str, str]:
    """Publish every contract in the CNS precompile (FISCO ``insert``) as ``<label>.wabei``.

    Sent by the deployer, who becomes the owner of each new name; publishing another ``version``
    of an existing name needs that same owner. Returns the ENS name of each contract. The CNS
    reverts (with a reason) if a name@version already exists.
    """
    cns = w3.eth.contract(address=CNS_ADDRESS, abi=CNS_INSERT_ABI)
    names: dict[str, str] = {}
    for name, label in labels.items():
        abi = json.dumps(load_artifact(name).abi, separators=(",", ":"))
        call = cns.functions.insert(label, version, deployment.address(name), abi)
        send(w3, call, deployment.accounts.deployer, f"register {name} in CNS")
        names[name] = f"{label}.wabei"
    return names
