"""A typed client for the committee precompile (0x…10001), FISCO BCOS v3's CommitteeManager.

    committee = CommitteeClient(w3, sender)            # sender: see transact.send.Sender
    pid = committee.update_governor("0x7099…79C8", 1)  # the proposer's vote is cast with it
    committee.vote(pid, True)                          # the vote that passes it executes it
    committee.proposal(pid).status_name                # "passed"

Every `create...` write returns the new proposal's id, read from its ProposalCreated event. A
refusal by the chain (not a member, closed proposal, a target that refused when it executed)
raises CommitteeRejected with the chain's reason; bad arguments caught here raise
CommitteeArgumentError before anything is sent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.types import TxReceipt

from transact.send import Sender, TransactionReverted, revert_message, send_and_wait
from vm_hooks.addresses import COMMITTEE
from vm_hooks.committee.kinds import KIND_BY_CODE, KINDS
from vm_hooks.committee.precompile import EVENTS, METHODS, PROPOSAL_CREATED
from vm_hooks.committee.rules import STATUS_NAMES, check_rates

COMMITTEE_ADDRESS = to_checksum_address(COMMITTEE)
# FISCO's Java SDK proposes with 7 days of 1-second blocks; Wabei's blocks are on demand, so the
# interval is a number of blocks, not a time.
DEFAULT_INTERVAL = 604_800


def _abi_function(signature: str, outputs: tuple[str, ...], mutates: bool) -> dict[str, Any]:
    from vm_hooks.precompile import Method
    inputs = Method(signature, outputs, lambda call: ()).input_types
    return {"type": "function", "name": signature[:signature.index("(")],
            "stateMutability": "nonpayable" if mutates else "view",
            "inputs": [_abi_param(f"arg{i}", t) for i, t in enumerate(inputs)],
            "outputs": [_abi_param("", t) for t in outputs]}


def _abi_param(name: str, type_: str) -> dict[str, Any]:
    if not type_.startswith("("):
        return {"name": name, "type": type_}
    from vm_hooks.precompile import Method
    inner, suffix = type_[:type_.rindex(")") + 1], type_[type_.rindex(")") + 1:]
    parts = Method(f"f{inner}", (), lambda call: ()).input_types
    return {"name": name, "type": "tuple" + suffix, "components": [_abi_param(f"f{i}", t) for i, t in enumerate(parts)]}


COMMITTEE_ABI: list[dict[str, Any]] = [
    *(_abi_function(m.signature, m.outputs, m.mutates) for m in METHODS),
    *({"type": "event", "name": name, "anonymous": False,
       "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in fields]} for name, fields in EVENTS),
]


class CommitteeError(Exception):
    """Base of this module's errors."""


class CommitteeArgumentError(CommitteeError, ValueError):
    """An argument no proposal could accept (checked before sending); the message says which."""


class CommitteeRejected(CommitteeError):
    """The chain refused the call; `reason` is its revert reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CommitteeInfo:
    """The committee in force: member → weight, and the thresholds in percent."""

    members: dict[ChecksumAddress, int]
    participates_rate: int
    win_rate: int


@dataclass(frozen=True)
class ProposalInfo:
    """One proposal with its votes and state (status aged: an open one past its deadline is
    "outdated"); `target`/`data` are what it executes, `executed` the block it did (0: not)."""

    id: int
    type: int
    kind: str
    proposer: ChecksumAddress
    resource: ChecksumAddress
    deadline: int
    status: int
    agree: tuple[ChecksumAddress, ...]
    against: tuple[ChecksumAddress, ...]
    target: ChecksumAddress
    data: bytes
    created: int
    executed: int

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, str(self.status))


def _address(value: str, what: str) -> ChecksumAddress:
    if not isinstance(value, str) or not is_address(value):
        raise CommitteeArgumentError(f"{what} must be an address (0x and 40 hex digits), not {value!r}")
    return to_checksum_address(value)


def _selector(value: str | bytes) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
    if len(raw) != 4:
        raise CommitteeArgumentError(f"a method selector is 4 bytes (e.g. 0xa9059cbb), not {value!r}")
    return raw


class CommitteeClient:
    """Committee operations over one web3 connection; writes are sent from `sender` (None: the
    connection's default account, else the node's first)."""

    def __init__(self, w3: Web3, sender: Sender | None = None) -> None:
        self.w3 = w3
        self._sender = sender
        self.contract = w3.eth.contract(address=COMMITTEE_ADDRESS, abi=COMMITTEE_ABI)

    # --- proposals (each returns the new proposal's id) ---
    def update_governor(self, account: str, weight: int, interval: int = DEFAULT_INTERVAL) -> int:
        """Add a member (weight > 0), change its weight, or remove it (weight 0)."""
        return self.propose("createUpdateGovernorProposal", _address(account, "the member"), weight, interval)

    def set_rates(self, participates_rate: int, win_rate: int, interval: int = DEFAULT_INTERVAL) -> int:
        try:
            check_rates(participates_rate, win_rate)
        except ValueError as exc:
            raise CommitteeArgumentError(str(exc)) from None
        return self.propose("createSetRateProposal", participates_rate, win_rate, interval)

    def set_sys_config(self, key: str, value: str, interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createSetSysConfigProposal", key, value, interval)

    def set_deploy_auth_type(self, auth_type: int, interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createSetDeployAuthTypeProposal", auth_type, interval)

    def modify_deploy_auth(self, account: str, open_: bool, interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createModifyDeployAuthProposal", _address(account, "the account"), open_, interval)

    def set_method_auth_type(self, contract: str, selector: str | bytes, auth_type: int,
                             interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createSetMethodAuthTypeProposal", _address(contract, "the contract"),
                            _selector(selector), auth_type, interval)

    def modify_method_auth(self, contract: str, selector: str | bytes, account: str, open_: bool,
                           interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createModifyMethodAuthProposal", _address(contract, "the contract"),
                            _selector(selector), _address(account, "the account"), open_, interval)

    def reset_admin(self, new_admin: str, contract: str, interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createResetAdminProposal", _address(new_admin, "the new admin"),
                            _address(contract, "the contract"), interval)

    def set_contract_status(self, contract: str, status: int, interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createSetContractStatusProposal", _address(contract, "the contract"), status, interval)

    def set_account_status(self, account: str, status: int, interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createSetAccountStatusProposal", _address(account, "the account"), status, interval)

    def set_consensus_weight(self, node_id: str, weight: int, add: bool = True,
                             interval: int = DEFAULT_INTERVAL) -> int:
        """add=True: a sealer with `weight` (0: an observer); add=False: change a sealer's weight."""
        return self.propose("createSetConsensusWeightProposal", node_id, weight, add, interval)

    def remove_node(self, node_id: str, interval: int = DEFAULT_INTERVAL) -> int:
        return self.propose("createRmNodeProposal", node_id, interval)

    def propose(self, function: str, *args: Any) -> int:
        """Send `function(*args)` (a create...Proposal; the last argument is the interval in
        blocks) and return the proposal id from its ProposalCreated event."""
        if function not in {k.name for k in KINDS}:
            raise CommitteeArgumentError(f"{function!r} is not a proposal kind; one of "
                                         f"{', '.join(k.name for k in KINDS)}")
        receipt = self._send(getattr(self.contract.functions, function)(*args))
        for log in receipt["logs"]:
            if bytes(log["topics"][0]) == PROPOSAL_CREATED and log["address"] == COMMITTEE_ADDRESS:
                return int.from_bytes(bytes(log["topics"][1]), "big")
        raise CommitteeError(f"{function} succeeded but emitted no ProposalCreated event")

    # --- votes ---
    def vote(self, proposal_id: int, agree: bool) -> ProposalInfo:
        """Vote; the proposal as it stands afterwards (status "passed": it has executed)."""
        self._send(self.contract.functions.voteProposal(proposal_id, agree))
        return self.proposal(proposal_id)

    def revoke(self, proposal_id: int) -> None:
        """Withdraw an open proposal (only its proposer may)."""
        self._send(self.contract.functions.revokeProposal(proposal_id))

    # --- reads ---
    def committee(self) -> CommitteeInfo:
        participates, win, members, weights = self.contract.functions.getCommitteeInfo().call()
        return CommitteeInfo({to_checksum_address(m): int(w) for m, w in zip(members, weights)},
                             int(participates), int(win))

    def is_governor(self, account: str) -> bool:
        return bool(self.contract.functions.isGovernor(_address(account, "the account")).call())

    def count(self) -> int:
        return int(self.contract.functions.proposalCount().call())

    def proposal(self, proposal_id: int) -> ProposalInfo:
        """Proposal `proposal_id`; CommitteeArgumentError if there is none."""
        info = self.contract.functions.getProposalInfo(proposal_id).call()
        if info[4] == 0:
            raise CommitteeArgumentError(f"there is no proposal {proposal_id} (there are {self.count()})")
        target, data, created, executed = self.contract.functions.getProposalAction(proposal_id).call()
        return _proposal(proposal_id, info, target, data, created, executed)

    def proposals(self, first: int = 1, last: int | None = None) -> list[ProposalInfo]:
        """Proposals `first`..`last` (default: all), oldest first."""
        end = self.count() if last is None else min(last, self.count())
        return [self.proposal(pid) for pid in range(max(first, 1), end + 1)]

    def _send(self, call: Any) -> TxReceipt:
        try:
            return send_and_wait(self.w3, call, self._sender)
        except ContractLogicError as exc:
            raise CommitteeRejected(revert_message(exc)) from None
        except TransactionReverted as exc:
            raise CommitteeRejected(exc.reason or str(exc)) from None


def _proposal(pid: int, info: Any, target: str, data: bytes, created: int, executed: int) -> ProposalInfo:
    resource, proposer, kind, deadline, status, agree, against = info
    named = KIND_BY_CODE.get(int(kind))
    return ProposalInfo(pid, int(kind), named.name if named else f"type {kind}", to_checksum_address(proposer),
                        to_checksum_address(resource), int(deadline), int(status),
                        tuple(to_checksum_address(a) for a in agree), tuple(to_checksum_address(a) for a in against),
                        to_checksum_address(target), bytes(data), int(created), int(executed))
