"""A model of the governance rules, written here from docs/governance.md and FISCO's rules, on
its own (it shares no code with vm_hooks/), for tests/integration/test_governance_machine.py:
which rule changes a target precompile accepts, and whether a transaction may run under the
rules in force at its block.

Rule changes are tuples (the same for the admin's direct calls and the committee's proposals):

    ("deploy_type", mode)                        setDeployAuthType
    ("deploy_auth", account, open)               openDeployAuth / closeDeployAuth
    ("method_type", contract, selector, mode)    setMethodAuthType
    ("method_auth", contract, selector, account, open)   openMethodAuth / closeMethodAuth
    ("contract_status", contract, status)        setContractStatus(address,uint8)
    ("account_status", account, status)          setAccountStatus
    ("tx_gas_limit", value)                      setValueByKey("tx_gas_limit", value)
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

OPEN, WHITE, BLACK = 0, 1, 2
OPENED, CLOSED = 1, 2
NORMAL, FROZEN, ABOLISHED = 0, 1, 2
MIN_TX_GAS_LIMIT = 100_000
Action = tuple[Any, ...]


class Outcome(enum.Enum):
    """What must happen to a user's transaction."""

    MINED_OK = "mined with status 1"
    REVERTED = "mined with status 0 (a permission or contract-status rule)"
    REFUSED = "refused at admission (a frozen account or tx_gas_limit)"


@dataclass(frozen=True)
class UserTx:
    """A user's transaction, described by what the rules look at."""

    sender: str
    gas: int
    kind: str = "transfer"                    # for reports only
    creates: bool = False                     # a top-level deploy, or a contract's CREATE2 below
    calls: tuple[tuple[str, bytes], ...] = ()  # (contract, selector) of each CALL frame, in order
    inner_create: bool = False                 # a CREATE2 frame inside the last call


def admits(mode: int, entry: int) -> bool:
    """FISCO's list rule: a white list admits only the opened; a black list all but the closed."""
    if mode == WHITE:
        return entry == OPENED
    if mode == BLACK:
        return entry != CLOSED
    return True


@dataclass
class Rules:
    """The rules in force, as the chain should hold them."""

    deploy_type: int = OPEN
    deploy_acl: dict[tuple[int, str], int] = field(default_factory=dict)
    method_type: dict[tuple[str, bytes], int] = field(default_factory=dict)
    method_acl: dict[tuple[str, bytes, int, str], int] = field(default_factory=dict)
    contract_status: dict[str, int] = field(default_factory=dict)
    account_status: dict[str, int] = field(default_factory=dict)
    gas_limits: list[tuple[int, int]] = field(default_factory=list)  # (from block, value), in order

    # --- changes: False when the target precompile must refuse (and nothing changes) ---
    def apply(self, action: Action, block: int) -> bool:
        """Apply `action` mined in `block`; whether the target accepts it."""
        kind, *args = action
        handler = getattr(self, f"_{kind}")
        return bool(handler(block, *args))

    def _deploy_type(self, block: int, mode: int) -> bool:
        self.deploy_type = mode
        return True

    def _deploy_auth(self, block: int, account: str, opened: bool) -> bool:
        if self.deploy_type == OPEN:
            return False  # "deploying is open to everyone; call setDeployAuthType(1 or 2) before ..."
        self.deploy_acl[(self.deploy_type, account)] = OPENED if opened else CLOSED
        return True

    def _method_type(self, block: int, contract: str, selector: bytes, mode: int) -> bool:
        self.method_type[(contract, selector)] = mode
        return True

    def _method_auth(self, block: int, contract: str, selector: bytes, account: str, opened: bool) -> bool:
        mode = self.method_type.get((contract, selector), OPEN)
        if mode == OPEN:
            return False  # "... has no auth type; call setMethodAuthType(...) first"
        self.method_acl[(contract, selector, mode, account)] = OPENED if opened else CLOSED
        return True

    def _contract_status(self, block: int, contract: str, status: int) -> bool:
        if self.contract_status.get(contract, NORMAL) == ABOLISHED:
            return False  # abolished is final
        self.contract_status[contract] = status
        return True

    def _account_status(self, block: int, account: str, status: int) -> bool:
        if self.account_status.get(account, NORMAL) == ABOLISHED:
            return False
        self.account_status[account] = status
        return True

    def _tx_gas_limit(self, block: int, value: int) -> bool:
        if value < MIN_TX_GAS_LIMIT:
            return False
        self.gas_limits.append((block + 1, value))  # a value set in block N applies from N + 1
        return True

    # --- reads ---
    def tx_gas_limit(self, block: int) -> int | None:
        """The tx_gas_limit in force for a transaction in `block` (None: never set)."""
        value = None
        for start, limit in self.gas_limits:
            if start <= block:
                value = limit
        return value

    def may_deploy(self, account: str) -> bool:
        return admits(self.deploy_type, self.deploy_acl.get((self.deploy_type, account), 0))

    def may_call(self, contract: str, selector: bytes, account: str) -> bool:
        mode = self.method_type.get((contract, selector), OPEN)
        return admits(mode, self.method_acl.get((contract, selector, mode, account), 0))

    def outcome(self, tx: UserTx, block: int) -> Outcome:
        """What must happen to `tx` if it is sent while the head is `block` - 1 (so it runs in
        `block`). Admission checks the sender's status and the gas; the VM checks every frame
        against tx.origin: each CALL's contract status and method rule, each CREATE's deploy rule."""
        limit = self.tx_gas_limit(block)
        if self.account_status.get(tx.sender, NORMAL) != NORMAL or (limit is not None and tx.gas > limit):
            return Outcome.REFUSED
        if tx.creates and not self.may_deploy(tx.sender):
            return Outcome.REVERTED
        for contract, selector in tx.calls:
            if self.contract_status.get(contract, NORMAL) != NORMAL:
                return Outcome.REVERTED
            if not self.may_call(contract, selector, tx.sender):
                return Outcome.REVERTED
        if tx.inner_create and not self.may_deploy(tx.sender):
            return Outcome.REVERTED
        return Outcome.MINED_OK
