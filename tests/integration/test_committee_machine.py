"""Random proposals, votes, revocations and mined blocks against a real node, checked after
every step against a model of FISCO's rules written here on its own.

Invariant: a proposal executes (one ProposalExecuted event, its change in force) exactly once
iff its votes passed the thresholds before its deadline; otherwise never. The chain's statuses,
committee and thresholds equal the model's throughout, and every refusal the model predicts is
a refusal (and changes nothing).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from web3 import Web3

from governance.committee import COMMITTEE_ADDRESS, CommitteeClient, CommitteeRejected
from tests.inprocess import in_process
from tests.integration.committee_helpers import A
from chain.config import ChainConfig
from vm_hooks.committee.genesis import committee_words
from vm_hooks.committee.precompile import PROPOSAL_EXECUTED

PEOPLE = A[:5]
OPEN, PASSED, DENIED, REVOKED, OUTDATED = 1, 2, 3, 4, 5
RATES = st.sampled_from([0, 25, 50, 60, 100])  # few values, so ties at the thresholds happen


@dataclass
class Proposal:
    kind: str
    args: tuple[int, ...]
    proposer: str
    deadline: int
    status: int = OPEN
    agree: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)


def decide(agree: list[str], against: list[str], weights: dict[str, int], rates: tuple[int, int]) -> int:
    """FISCO's VoteComputer, restated."""
    yes = sum(weights.get(v, 0) for v in agree)
    voted = yes + sum(weights.get(v, 0) for v in against)
    if voted * 100 < sum(weights.values()) * rates[0]:
        return OPEN
    return PASSED if yes * 100 >= rates[1] * voted else DENIED


class CommitteeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Four equal members at 50 %/50 %: a 1-against-1 vote is a tie at the win threshold.
        self.weights = {A[0]: 1, A[1]: 1, A[2]: 1, A[3]: 1}
        self.rates = (50, 50)
        words = committee_words({"committee": {"members": dict(self.weights), "participatesRate": 50, "winRate": 50}})
        self.thread, handle = in_process(ChainConfig(genesis_storage=words))
        self.w3 = Web3(Web3.HTTPProvider(handle.http_url))
        self.proposals: dict[int, Proposal] = {}

    def teardown(self) -> None:
        self.thread.close()

    def _next_block(self) -> int:
        return int(self.w3.eth.block_number) + 1

    def _expect(self, ok: bool, fn: object, *args: object) -> object:
        before = self.w3.eth.block_number
        try:
            result = fn(*args)  # type: ignore[operator]
        except CommitteeRejected:
            assert not ok, f"refused but the model allows it: {args}"
            assert self.w3.eth.block_number == before  # nothing was sent
            return None
        assert ok, f"accepted but the model refuses it: {args}"
        return result

    def _apply(self, proposal: Proposal) -> bool:
        """Run a passing proposal's change on the model; False if the chain must refuse it."""
        if proposal.kind == "rates":
            self.rates = (proposal.args[0], proposal.args[1])
            return True
        account, weight = PEOPLE[proposal.args[0]], proposal.args[1]
        rest = {m: w for m, w in self.weights.items() if m != account}
        if sum(rest.values()) + weight == 0:
            return False
        self.weights = {**rest, account: weight} if weight else rest
        return True

    def _vote(self, proposal: Proposal, voter: str, agree: bool) -> bool:
        """Cast a vote on the model (undone if the chain must refuse it); whether it stood."""
        saved = (self.weights, self.rates, proposal.status, list(proposal.agree), list(proposal.against))
        (proposal.agree if agree else proposal.against).append(voter)
        proposal.status = decide(proposal.agree, proposal.against, self.weights, self.rates)
        if proposal.status == PASSED and not self._apply(proposal):
            self.weights, self.rates, proposal.status, proposal.agree, proposal.against = saved
            return False
        return True

    def _open_at(self, proposal: Proposal, block: int) -> bool:
        return proposal.status == OPEN and block <= proposal.deadline

    @rule(who=st.integers(0, 4), participates=RATES, win=RATES,
          interval=st.integers(0, 4))
    def propose_rates(self, who: int, participates: int, win: int, interval: int) -> None:
        self._propose(PEOPLE[who], "rates", (participates, win), interval)

    @rule(who=st.integers(0, 4), account=st.integers(0, 4), weight=st.integers(0, 3), interval=st.integers(0, 4))
    def propose_governor(self, who: int, account: int, weight: int, interval: int) -> None:
        self._propose(PEOPLE[who], "governor", (account, weight), interval)

    def _propose(self, proposer: str, kind: str, args: tuple[int, ...], interval: int) -> None:
        block = self._next_block()
        proposal = Proposal(kind, args, proposer, block + interval)
        ok = proposer in self.weights
        if ok and kind == "governor":
            rest = sum(w for m, w in self.weights.items() if m != PEOPLE[args[0]])
            ok = rest + args[1] > 0
        ok = ok and self._vote(proposal, proposer, True)
        client = CommitteeClient(self.w3, proposer)
        call = (client.set_rates, *args, interval) if kind == "rates" else \
            (client.update_governor, PEOPLE[args[0]], args[1], interval)
        pid = self._expect(ok, *call)
        if ok:
            assert pid == len(self.proposals) + 1
            self.proposals[int(pid)] = proposal  # type: ignore[arg-type]

    @rule(pick=st.integers(0, 50), who=st.integers(0, 4), agree=st.booleans())
    def vote(self, pick: int, who: int, agree: bool) -> None:
        pid = pick % (len(self.proposals) + 1) + 1  # sometimes one that does not exist
        voter, proposal = PEOPLE[who], self.proposals.get(pid)
        ok = (voter in self.weights and proposal is not None and self._open_at(proposal, self._next_block())
              and voter not in proposal.agree + proposal.against)
        ok = ok and self._vote(proposal, voter, agree)  # type: ignore[arg-type]
        self._expect(ok, CommitteeClient(self.w3, voter).vote, pid, agree)

    @rule(pick=st.integers(0, 50), who=st.integers(0, 4))
    def revoke(self, pick: int, who: int) -> None:
        if not self.proposals:
            return
        pid = pick % len(self.proposals) + 1
        proposal, who_ = self.proposals[pid], PEOPLE[who]
        ok = who_ in self.weights and self._open_at(proposal, self._next_block()) and proposal.proposer == who_
        self._expect(ok, CommitteeClient(self.w3, who_).revoke, pid)
        if ok:
            proposal.status = REVOKED

    @rule(blocks=st.integers(1, 3))
    def mine(self, blocks: int) -> None:
        self.w3.provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]

    @invariant()
    def chain_agrees_with_the_model(self) -> None:
        client = CommitteeClient(self.w3)
        info = client.committee()
        assert (info.members, (info.participates_rate, info.win_rate)) == (self.weights, self.rates)
        head = int(self.w3.eth.block_number)
        executed: dict[int, int] = {}
        for log in self.w3.eth.get_logs({"address": COMMITTEE_ADDRESS, "fromBlock": 0,
                                         "topics": ["0x" + PROPOSAL_EXECUTED.hex()]}):
            pid = int.from_bytes(bytes(log["topics"][1]), "big")
            executed[pid] = executed.get(pid, 0) + 1
        listed = client.contract.functions.getProposalInfoList(1, len(self.proposals)).call() if self.proposals else []
        for pid, proposal in self.proposals.items():
            aged = OUTDATED if proposal.status == OPEN and head > proposal.deadline else proposal.status
            assert listed[pid - 1][4] == aged, pid
            assert executed.get(pid, 0) == (1 if proposal.status == PASSED else 0), pid


CommitteeMachine.TestCase.settings = settings(max_examples=10, stateful_step_count=20)
test_committee_machine = CommitteeMachine.TestCase
