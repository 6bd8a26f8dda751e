"""Random sequences of governance changes and user transactions against a real governed node,
each transaction checked against a model of the rules in force at its block
(tests/integration/governance_model.py, written apart from vm_hooks/).

Changes come two ways: the chain admin calling the precompiles directly, and committee
proposals that pass (and execute) or fail by vote. They cover the deploy auth type and list,
method auth types and lists, contract status, account freezes and `tx_gas_limit`. Transactions
are users' transfers, deploys, calls, calls through a factory and a factory's CREATE2.

Invariant: every user transaction ends exactly as the model says — mined and successful when
the rules in force at its block allow it, mined and failed with a Permission reason (before
any code ran) when a rule forbids a frame, refused at admission for a frozen sender or a gas
above the tx_gas_limit in force — and the chain's own views of the rules equal the model's.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from web3 import Web3

from chain.config import ChainConfig
from deploy.compile import load_artifact
from governance.client import AccountClient, PermissionClient, SystemConfigClient
from governance.committee import CommitteeClient, CommitteeError
from governance.errors import GovernanceInputError, GovernanceRejected
from tests.inprocess import in_process
from tests.integration.governance_model import Action, Outcome, Rules, UserTx
from tests.integration.helpers import deploy, dev_account, rpc, rpc_raw
from vm_hooks.committee.genesis import committee_words
from vm_hooks.governance.genesis import parse_governance

ADMIN = dev_account(0).address
USERS = [dev_account(i).address for i in (1, 2)]  # few, so that rules and transactions meet
MEMBERS = [dev_account(i).address for i in (5, 6, 7)]
PAYEE = dev_account(9).address
# Three members of weight 1 at 60 %/60 %: the proposer's vote alone is 33 % participation (open);
# a second vote decides: agree → passed (and executed), against → denied.
GOVERNANCE = {"admin": ADMIN, "committee": {"members": {m: 1 for m in MEMBERS}, "participatesRate": 60,
                                            "winRate": 60}}
SET, DEPLOY, CALL_SET = (Web3.keccak(text=s)[:4] for s in ("set(uint256)", "deploy(bytes32)",
                                                            "callSet(address,uint256)"))
BIG = 1_500_000  # added to a transaction's gas to cross every tx_gas_limit below 30M
GAS = {"transfer": 100_000, "set": 150_000, "factory_call": 200_000, "deploy": 400_000, "factory_deploy": 700_000}
# calls through the factory twice as often: the only frames whose msg.sender is not tx.origin
KINDS = st.sampled_from(["transfer", "set", "factory_call", "factory_call", "deploy", "factory_deploy"])
BIGS = st.sampled_from([False, False, False, True])  # a refused gas hides every other rule
LIMITS = st.sampled_from([50_000, 600_000, 1_000_000, 30_000_000])  # 50_000 is below the minimum

users, members = st.sampled_from(USERS), st.integers(0, 2)
# Lists more often than open: an open rule admits everybody and tests little.
modes, targets = st.sampled_from([1, 2, 1, 2, 0]), st.sampled_from([0, 0, 1, 2])  # index into rule_targets


@dataclass
class Proposal:
    action: Action
    agree: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    status: str = "created"


def actions() -> st.SearchStrategy[tuple[Any, ...]]:
    """Rule changes; contracts and selectors are indexes resolved by the machine."""
    return st.one_of(
        st.tuples(st.just("deploy_type"), modes),
        st.tuples(st.just("deploy_auth"), users, st.booleans()),
        # method rules twice: a rule meets a transaction only when type, entry and call agree
        st.tuples(st.just("method_type"), targets, modes),
        st.tuples(st.just("method_auth"), targets, users, st.booleans()),
        st.tuples(st.just("method_type"), targets, modes),
        st.tuples(st.just("method_auth"), targets, users, st.booleans()),
        # unfreezing more often than freezing, abolishing (final) rarely: a frozen sender or
        # contract hides every other rule behind it
        st.tuples(st.just("contract_status"), st.integers(0, 2), st.sampled_from([0, 0, 0, 1, 1, 2])),
        st.tuples(st.just("account_status"), users, st.sampled_from([0, 0, 1])),
        st.tuples(st.just("tx_gas_limit"), LIMITS),
    )


class GovernanceMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        config = ChainConfig(governance=parse_governance(GOVERNANCE), genesis_storage=committee_words(GOVERNANCE))
        self.thread, handle = in_process(config)
        self.url = handle.http_url
        self.w3 = Web3(Web3.HTTPProvider(self.url))
        self.targets = [deploy(self.w3, "GovTarget").address, deploy(self.w3, "GovTarget").address]
        self.factory = deploy(self.w3, "GovFactory")
        # A second factory that no rule names: its calls meet only the target's rules, which
        # the first factory's own rules and status would otherwise often hide.
        self.bare_factory = deploy(self.w3, "GovFactory")
        self.contracts = [*self.targets, self.factory.address]
        # (contract, selector) pairs that rules are put on; the second target is never ruled on
        self.rule_targets = [(self.targets[0], SET), (self.factory.address, DEPLOY),
                             (self.factory.address, CALL_SET)]
        self.target_abi = load_artifact("GovTarget").abi
        self.rules = Rules()
        self.proposals: dict[int, Proposal] = {}
        self.salt = 0

    def teardown(self) -> None:
        self.thread.close()

    # --- resolving strategy indexes into the chain's addresses ---
    def _concrete(self, raw: tuple[Any, ...]) -> Action:
        kind, *args = raw
        if kind == "method_type":
            return (kind, *self.rule_targets[args[0]], args[1])
        if kind == "method_auth":
            return (kind, *self.rule_targets[args[0]], args[1], args[2])
        if kind == "contract_status":
            return (kind, self.contracts[args[0]], args[1])
        return (kind, *args)

    def _head(self) -> int:
        return int(self.w3.eth.block_number)

    # --- rule changes: the admin directly ---
    @initialize(mode=st.sampled_from([1, 2]), entries=st.lists(st.sampled_from([None, True, False]), min_size=2,
                                                             max_size=2),
                changes=st.lists(actions(), min_size=1, max_size=5))
    def some_rules_from_the_start(self, mode: int, entries: list[bool | None], changes: list[tuple[Any, ...]]) -> None:
        """The admin's changes first, so that every example runs under some rules: a list on the
        first target's set(uint256) with the users' entries in it (a method rule meets a
        transaction only when type, entry and call agree, too rarely by chance alone), then a
        few random changes."""
        self.admin_changes_a_rule(("method_type", 0, mode))
        for user, entry in zip(USERS, entries):
            if entry is not None:
                self.admin_changes_a_rule(("method_auth", 0, user, entry))
        for raw in changes:
            self.admin_changes_a_rule(raw)

    # One rule that draws its operation: Hypothesis's swarm testing enables a random subset of
    # a machine's rules per example, and with five rules most examples ran one or two of them
    # (only proposals, or only transfers); drawing the operation inside one rule mixes them all.
    # Every step ends with the users' transactions, so each state of the rules is probed: with
    # probes only now and then, a broken rule was often never met by a transaction (see the
    # sabotage runs in the commit log).
    @rule(op=st.one_of(
        st.tuples(st.just("admin"), actions()),
        st.tuples(st.just("propose"), actions(), st.integers(0, 3)),
        st.tuples(st.just("vote"), st.integers(0, 30), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("vote"), st.integers(0, 30), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("same_block"), LIMITS, KINDS, users, BIGS),
    ), sends=st.lists(st.tuples(KINDS, users, st.sampled_from([0, 0, 1, 2]), BIGS), min_size=1, max_size=3))
    def step(self, op: tuple[Any, ...], sends: list[tuple[str, str, int, bool]]) -> None:
        name, *args = op
        {"admin": self.admin_changes_a_rule, "propose": self.propose, "vote": self.vote,
         "same_block": self.limit_changes_in_the_same_block}[name](*args)
        self.users_send(sends)

    def admin_changes_a_rule(self, raw: tuple[Any, ...]) -> None:
        action = self._concrete(raw)
        block = self._head() + 1
        expected = copy.deepcopy(self.rules).apply(action, block)
        try:
            receipt = self._admin_send(action)
        except (GovernanceRejected, GovernanceInputError) as exc:
            assert not expected, f"the chain refused {action} the model allows: {exc}"
            event("admin change refused")
            return
        assert expected, f"the chain accepted {action} the model refuses"
        assert self.rules.apply(action, int(receipt["blockNumber"]))
        self._views_agree()

    def _admin_send(self, action: Action) -> Any:
        kind, *args = action
        perms = PermissionClient(self.w3, sender=ADMIN)
        if kind == "deploy_type":
            return perms.set_deploy_type(args[0])
        if kind == "deploy_auth":
            return perms.open_deploy(args[0]) if args[1] else perms.close_deploy(args[0])
        if kind == "method_type":
            return perms.set_method_type(args[0], "0x" + args[1].hex(), args[2])
        if kind == "method_auth":
            send = perms.open_method if args[3] else perms.close_method
            return send(args[0], "0x" + args[1].hex(), args[2])
        if kind == "contract_status":
            return perms.set_contract_status(args[0], args[1])
        if kind == "account_status":
            return AccountClient(self.w3, sender=ADMIN).set_status(args[0], args[1])
        return SystemConfigClient(self.w3, sender=ADMIN).set("tx_gas_limit", args[0])

    # --- rule changes: the committee ---
    def propose(self, raw: tuple[Any, ...], who: int) -> None:
        action = self._concrete(raw)
        proposer = MEMBERS[who] if who < 3 else USERS[0]  # 3: a non-member, refused
        try:
            pid = self._propose(CommitteeClient(self.w3, proposer), action)
        except CommitteeError as exc:
            assert proposer not in MEMBERS, f"a member's proposal {action} was refused: {exc}"
            return
        assert proposer in MEMBERS, "a non-member's proposal was accepted"
        self.proposals[pid] = Proposal(action, agree=[proposer])

    def _propose(self, client: CommitteeClient, action: Action) -> int:
        kind, *args = action
        calls = {"deploy_type": client.set_deploy_auth_type, "deploy_auth": client.modify_deploy_auth,
                 "method_type": client.set_method_auth_type, "method_auth": client.modify_method_auth,
                 "contract_status": client.set_contract_status, "account_status": client.set_account_status}
        if kind == "tx_gas_limit":
            return client.set_sys_config("tx_gas_limit", str(args[0]))
        return calls[kind](*args)

    def vote(self, pick: int, who: int, agree: bool) -> None:
        if not self.proposals:
            return
        pid = pick % len(self.proposals) + 1
        proposal, voter = self.proposals[pid], (MEMBERS + [USERS[0]])[who]
        allowed = (voter in MEMBERS and proposal.status == "created"
                   and voter not in proposal.agree + proposal.against)
        block = self._head() + 1
        executes = allowed and agree and copy.deepcopy(self.rules).apply(proposal.action, block)
        allowed = allowed and (executes or not agree)
        try:
            after = CommitteeClient(self.w3, voter).vote(pid, agree)
        except CommitteeError as exc:
            assert not allowed, f"vote {voter} {agree} on {pid} ({proposal}) refused: {exc}"
            event("vote refused")
            return
        event(f"vote: {'passed and executed' if agree else 'denied'}")
        assert allowed, f"vote {voter} {agree} on {pid} ({proposal}) accepted, the model refuses it"
        (proposal.agree if agree else proposal.against).append(voter)
        proposal.status = "passed" if agree else "denied"
        assert after.status_name == proposal.status
        if agree:
            assert self.rules.apply(proposal.action, block)
            self._views_agree()

    # --- user transactions ---
    def users_send(self, sends: list[tuple[str, str, int, bool]]) -> None:
        """A few users' transactions, each mined in its own block (automine)."""
        for kind, sender, which, big in sends:
            tx, request = self._user_tx(kind, sender, which, GAS[kind] + (BIG if big else 0))
            block = self._head() + 1
            self._judge(tx, rpc_raw(self.url, "eth_sendTransaction", [request]), self.rules.outcome(tx, block), block)

    def limit_changes_in_the_same_block(self, limit: int, kind: str, sender: str, big: bool) -> None:
        """The admin's tx_gas_limit and a user's transaction in one block: the new limit applies
        only from the next block, so the user's transaction runs under the old one."""
        tx, request = self._user_tx(kind, sender, 0, GAS[kind] + (BIG if big else 0))
        block = self._head() + 1
        expected = self.rules.outcome(tx, block)
        config = self.w3.eth.contract(address=SystemConfigClient(self.w3)._contract.address,
                                      abi=SystemConfigClient(self.w3)._contract.abi)
        data = config.encode_abi("setValueByKey", ["tx_gas_limit", str(limit)])
        rpc(self.url, "evm_setAutomine", [False])
        try:
            admin_hash = rpc(self.url, "eth_sendTransaction", [{"from": ADMIN, "to": config.address, "data": data,
                                                                "gas": hex(300_000)}])
            sent = rpc_raw(self.url, "eth_sendTransaction", [request])
            rpc(self.url, "evm_mine", [])
        finally:
            rpc(self.url, "evm_setAutomine", [True])
        admin = self.w3.eth.get_transaction_receipt(admin_hash)
        assert admin["blockNumber"] == block and admin["status"] == int(self.rules.apply(("tx_gas_limit", limit), block))
        self._judge(tx, sent, expected, block)
        self._views_agree()

    def _user_tx(self, kind: str, sender: str, which: int, gas: int) -> tuple[UserTx, dict[str, Any]]:
        """`which`: 0 the first target (through the bare factory for factory_call), 1 the first
        target (through the ruled factory), 2 the second target, which no rule names."""
        target = self.targets[1 if which == 2 else 0]
        request: dict[str, Any] = {"from": sender, "gas": hex(gas)}
        if kind == "transfer":
            return UserTx(sender, gas, kind), {**request, "to": PAYEE, "value": hex(1)}
        if kind == "deploy":
            return UserTx(sender, gas, kind, creates=True), {**request, "data": load_artifact("GovTarget").bytecode}
        if kind == "set":
            data = self.w3.eth.contract(address=target, abi=self.target_abi).encode_abi("set", [7])
            return UserTx(sender, gas, kind, calls=((target, SET),)), {**request, "to": target, "data": data}
        if kind == "factory_call":
            factory = self.bare_factory if which == 0 else self.factory
            data = factory.encode_abi("callSet", [target, 8])
            calls = ((factory.address, CALL_SET), (target, SET))
            return UserTx(sender, gas, kind, calls=calls), {**request, "to": factory.address, "data": data}
        self.salt += 1
        data = self.factory.encode_abi("deploy", [self.salt.to_bytes(32, "big")])
        return (UserTx(sender, gas, kind, calls=((self.factory.address, DEPLOY),), inner_create=True),
                {**request, "to": self.factory.address, "data": data})

    def _judge(self, tx: UserTx, sent: dict[str, Any], expected: Outcome, block: int) -> None:
        event(f"user {tx.kind}: {expected.name}")  # --hypothesis-show-statistics counts them
        if "error" in sent:
            message = sent["error"]["message"]
            assert expected is Outcome.REFUSED, f"{tx} refused ({message}) but must be {expected.value}"
            assert "is frozen" in message or "tx_gas_limit" in message, message
            return
        assert expected is not Outcome.REFUSED, f"{tx} was admitted but must be {expected.value}"
        receipt = self.w3.eth.get_transaction_receipt(sent["result"])
        assert receipt["blockNumber"] == block
        status = Outcome.MINED_OK if receipt["status"] == 1 else Outcome.REVERTED
        assert status is expected, f"{tx} {status.value} but must be {expected.value}"
        if status is Outcome.REVERTED:
            replay = rpc_raw(self.url, "eth_call", [_call_of(self.w3, sent["result"]), hex(block - 1)])
            assert replay["error"]["code"] == 3 and "Permission: " in replay["error"]["message"], replay

    # --- the chain's views agree with the model (asked after every accepted change: only
    # changes move them, and asking after every step would triple the run time) ---
    def _views_agree(self) -> None:
        perms = PermissionClient(self.w3)
        accounts = AccountClient(self.w3)
        for user in USERS:
            assert perms.may_deploy(user) == self.rules.may_deploy(user), user
            assert int(accounts.status(user)) == self.rules.account_status.get(user, 0), user
            for contract, selector in self.rule_targets:
                assert perms.may_call(contract, "0x" + selector.hex(), user) == self.rules.may_call(
                    contract, selector, user), (contract, selector.hex(), user)
        for contract in self.contracts:
            assert int(perms.contract_status(contract)) == self.rules.contract_status.get(contract, 0), contract
        config = SystemConfigClient(self.w3).get("tx_gas_limit")
        last = self.rules.gas_limits[-1] if self.rules.gas_limits else (0, None)
        assert (config.value, config.enable_number) == (last[1], last[0])  # (value, the block it binds from)


def _call_of(w3: Web3, tx_hash: str) -> dict[str, Any]:
    """The eth_call that replays a mined transaction."""
    tx = w3.eth.get_transaction(tx_hash)
    call = {"from": tx["from"], "data": tx["input"].to_0x_hex(), "gas": hex(tx["gas"])}
    return {**call, "to": tx["to"]} if tx["to"] else call


# About 45-55 s on two loaded cores. No shrinking: every example starts a node and runs ~60
# transactions, and shrinking one failure took over six minutes; the report lists the steps.
GovernanceMachine.TestCase.settings = settings(max_examples=14, stateful_step_count=25,
                                               phases=[Phase.explicit, Phase.reuse, Phase.generate])
test_governance_machine = GovernanceMachine.TestCase
