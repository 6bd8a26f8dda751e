"""The committee precompile (0x…10001) over the wire with web3.py: the devnet's implicit
governor, a governed chain's committee from its genesis, the proposal → vote → execute flow,
expiry, denial, revocation, double execution, non-members, weights and thresholds, events, and
a proposal whose execution fails undoing its whole vote."""
from __future__ import annotations

from pathlib import Path

import pytest
from web3 import Web3

from governance.committee import (COMMITTEE_ADDRESS, CommitteeArgumentError, CommitteeClient,
                                  CommitteeRejected)
from tests.integration.committee_helpers import A, mine, node
from vm_hooks.committee.precompile import (EXEC_RESULT, GOVERNOR_UPDATED, PROPOSAL_CREATED, PROPOSAL_EXECUTED,
                                           PROPOSAL_VOTED, RATES_UPDATED)

THREE = {"members": {A[0]: 1, A[1]: 1, A[2]: 1}, "participatesRate": 50, "winRate": 60}


def client(w3: Web3, who: int) -> CommitteeClient:
    return CommitteeClient(w3, A[who])


def refused(fn: object, *args: object) -> str:
    with pytest.raises(CommitteeRejected) as caught:
        fn(*args)  # type: ignore[operator]
    return caught.value.reason


def test_a_devnet_has_the_first_dev_account_as_its_sole_governor_and_refuses_everyone_else() -> None:
    with node() as w3:
        gov = client(w3, 0)
        assert gov.committee().members == {A[0]: 1} and gov.is_governor(A[0]) and not gov.is_governor(A[1])
        pid = gov.update_governor(A[1], 3)  # weight 1 of 1: passes, and executes, as it is created
        proposal = gov.proposal(pid)
        assert (proposal.status_name, proposal.agree, proposal.executed) == ("passed", (A[0],), proposal.created)
        assert gov.committee().members == {A[0]: 1, A[1]: 3}
        stranger = client(w3, 4)
        assert "you must be governor: " + A[4] in refused(stranger.set_rates, 10, 10)
        assert "you must be governor" in refused(stranger.vote, pid, True)
        assert "you must be governor" in refused(stranger.revoke, pid)
        assert gov.count() == 1  # the refusals stored nothing


def test_a_governed_chain_starts_with_its_files_committee() -> None:
    with node(THREE) as w3:
        info = client(w3, 4).committee()
        assert (info.members, info.participates_rate, info.win_rate) == ({A[0]: 1, A[1]: 1, A[2]: 1}, 50, 60)
        assert "you must be governor" in refused(client(w3, 4).set_rates, 1, 1)  # A[0] has no dev privilege here
        assert not client(w3, 4).is_governor(A[4])


def test_the_vote_that_passes_a_proposal_executes_it_once_and_emits_every_step() -> None:
    with node(THREE) as w3:
        pid = client(w3, 0).update_governor(A[3], 2)
        assert client(w3, 0).proposal(pid).status_name == "created"  # 1 of 3 has voted: under 50 %
        assert A[3] not in client(w3, 0).committee().members
        after = client(w3, 1).vote(pid, True)
        assert (after.status_name, after.agree, after.against) == ("passed", (A[0], A[1]), ())
        assert client(w3, 0).committee().members[A[3]] == 2
        # Double execution: the proposal is closed; nobody may vote on it again.
        reason = refused(client(w3, 2).vote, pid, True)
        assert f"proposal {pid} already passed and was executed at block {after.executed}" in reason
        assert "already passed" in refused(client(w3, 1).vote, pid, False)
        logs = w3.eth.get_logs({"address": COMMITTEE_ADDRESS, "fromBlock": 0})
        topics = [bytes(log["topics"][0]) for log in logs]
        assert topics == [PROPOSAL_CREATED, PROPOSAL_VOTED, PROPOSAL_VOTED, GOVERNOR_UPDATED,
                          PROPOSAL_EXECUTED, EXEC_RESULT]
        assert sum(t == PROPOSAL_EXECUTED for t in topics) == 1


def test_a_failed_vote_denies_the_proposal_and_it_never_executes() -> None:
    with node(THREE) as w3:
        pid = client(w3, 0).set_rates(10, 10)
        denied = client(w3, 1).vote(pid, False)  # 2 of 3 voted; 1 of 2 agreed: 50 % < 60 %
        assert (denied.status_name, denied.executed) == ("denied", 0)
        assert "is denied" in refused(client(w3, 2).vote, pid, True)
        assert client(w3, 0).committee().participates_rate == 50


def test_an_expired_proposal_takes_no_votes_and_never_executes() -> None:
    with node(THREE) as w3:
        pid = client(w3, 0).set_rates(10, 10, interval=2)
        deadline = client(w3, 0).proposal(pid).deadline
        mine(w3, 2)  # the head is now the deadline block: the next vote would land after it
        assert w3.eth.block_number == deadline
        reason = refused(client(w3, 1).vote, pid, True)
        assert f"proposal {pid} is outdated (its deadline was block {deadline})" in reason
        assert client(w3, 0).proposal(pid).status_name == "created"  # read as of the deadline block
        mine(w3, 1)
        assert client(w3, 0).proposal(pid).status_name == "outdated"
        assert client(w3, 0).committee().participates_rate == 50


def test_a_vote_at_the_deadline_block_still_counts() -> None:
    with node(THREE) as w3:
        pid = client(w3, 0).set_rates(10, 10, interval=2)
        mine(w3, 1)  # the next block is the deadline block itself
        assert client(w3, 1).vote(pid, True).status_name == "passed"


def test_the_win_rule_is_fiscos_integer_rule() -> None:
    committee = {"members": {A[0]: 5, A[1]: 1, A[2]: 1}, "participatesRate": 70, "winRate": 50}
    with node(committee) as w3:
        pid = client(w3, 1).update_governor(A[3], 1)
        assert client(w3, 2).vote(pid, True).status_name == "created"  # 2 of 7 voted < 70 %
        assert client(w3, 0).vote(pid, False).status_name == "denied"  # 2 × 100 < 50 × 7
        pid = client(w3, 0).update_governor(A[3], 1)  # 5 of 7 voted (71 %), 5 agreed: passed
        assert client(w3, 0).proposal(pid).status_name == "passed"
        # Removing A[0] makes its earlier votes weigh nothing in proposals still open.
        pid = client(w3, 1).set_rates(100, 100)
        leave = client(w3, 0).update_governor(A[0], 0)  # 5 of 8 voted: 62.5 % < 70 %
        assert client(w3, 3).vote(leave, True).status_name == "passed"  # 6 of 8: A[0] is out
        assert client(w3, 1).committee().members == {A[1]: 1, A[2]: 1, A[3]: 1}
        assert client(w3, 2).vote(pid, True).status_name == "created"  # 2 of 3 voted < 100 %
        assert client(w3, 3).vote(pid, True).status_name == "passed"


def test_only_the_proposer_may_revoke_an_open_proposal() -> None:
    with node(THREE) as w3:
        pid = client(w3, 0).set_rates(10, 10)
        assert "only the proposer " + A[0] in refused(client(w3, 1).revoke, pid)
        client(w3, 0).revoke(pid)
        assert client(w3, 0).proposal(pid).status_name == "revoked"
        assert "is revoked" in refused(client(w3, 1).vote, pid, True)
        assert "is revoked" in refused(client(w3, 0).revoke, pid)


def test_voting_twice_unknown_proposals_and_bad_arguments_are_refused() -> None:
    with node(THREE) as w3:
        pid = client(w3, 0).set_rates(10, 10)
        assert f"{A[0]} already voted on proposal {pid}" in refused(client(w3, 0).vote, pid, False)
        assert "proposal 99 does not exist" in refused(client(w3, 0).vote, 99, True)
        assert "participatesRate must be a percentage" in refused(
            client(w3, 0).propose, "createSetRateProposal", 101, 0, 10)
        assert "invalid key length" in refused(client(w3, 0).set_sys_config, "", "1")
        assert "not a validator's ed25519 public key" in refused(client(w3, 0).remove_node, "abcd")
        assert "too large" in refused(client(w3, 0).set_rates, 1, 1, 2**65)
        with pytest.raises(CommitteeArgumentError, match="percentage"):
            client(w3, 0).set_rates(0, 101)
        with pytest.raises(CommitteeArgumentError, match="not a proposal kind"):
            client(w3, 0).propose("voteProposal", 1, True)
        assert client(w3, 0).count() == pid


def test_the_committee_cannot_lose_its_last_member() -> None:
    with node() as w3:
        assert "without members" in refused(client(w3, 0).update_governor, A[0], 0)
        assert client(w3, 0).committee().members == {A[0]: 1}


def test_members_cannot_be_frozen() -> None:
    with node(THREE) as w3:
        assert f"{A[1]} is a committee member; members cannot be frozen" in refused(
            client(w3, 0).set_account_status, A[1], 1)
        # Unfreezing a member (status 0) is not refused by this rule.
        assert client(w3, 0).set_account_status(A[1], 0) == 1


def test_a_member_added_after_a_freeze_proposal_was_made_is_still_not_frozen() -> None:
    with node(THREE) as w3:
        freeze = client(w3, 0).set_account_status(A[4], 1)
        add = client(w3, 0).update_governor(A[4], 1)
        client(w3, 1).vote(add, True)
        assert client(w3, 0).is_governor(A[4])
        assert f"{A[4]} is a committee member" in refused(client(w3, 1).vote, freeze, True)
        assert client(w3, 0).proposal(freeze).agree == (A[0],)  # the refused vote left nothing


def test_setweight_and_setrate_answer_only_the_committee_itself() -> None:
    with node() as w3:
        committee = client(w3, 0).contract
        with pytest.raises(Exception, match="called by the committee itself"):
            committee.functions.setWeight(A[0], 5).call({"from": A[0]})
        with pytest.raises(Exception, match="called by the committee itself"):
            committee.functions.setRate(1, 1).call({"from": A[0]})


def test_a_failing_execution_reverts_the_whole_vote_with_the_targets_reason() -> None:
    with node() as w3:  # a devnet has no validator set: the Consensus precompile refuses
        reason = refused(client(w3, 0).remove_node, "01" * 32)
        assert "Committee: proposal 1 passed but could not be executed" in reason
        assert "Consensus (0x1003) refused: Consensus: this chain has no validator set" in reason
        assert client(w3, 0).count() == 0  # the creation was undone with the vote


def test_the_read_methods_list_proposals_with_votes_and_state() -> None:
    with node(THREE) as w3:
        first = client(w3, 0).set_rates(10, 10)
        second = client(w3, 1).update_governor(A[3], 4)
        client(w3, 2).vote(first, False)
        listed = client(w3, 0).proposals()
        assert [(p.id, p.kind, p.proposer, p.status_name, p.agree, p.against) for p in listed] == [
            (first, "createSetRateProposal", A[0], "denied", (A[0],), (A[2],)),
            (second, "createUpdateGovernorProposal", A[1], "created", (A[1],), ())]
        raw = client(w3, 0).contract.functions.getProposalInfoList(0, 99).call()
        assert [r[4] for r in raw] == [3, 1]
        assert client(w3, 0).contract.functions.getProposalStatus(77).call() == 0
        assert client(w3, 0).contract.functions.getProposalType(second).call() == 11


def test_a_devnets_genesis_has_no_committee_account_until_the_first_write(tmp_path: Path) -> None:
    address = Web3.to_checksum_address(COMMITTEE_ADDRESS)
    with node(data_dir=tmp_path) as w3:
        assert (w3.eth.get_code(address, 0), w3.eth.get_transaction_count(address, 0)) == (b"", 0)
        client(w3, 0).update_governor(A[1], 1)
        assert (bytes(w3.eth.get_code(address)), w3.eth.get_transaction_count(address)) == (b"\xfe", 1)
        genesis = w3.eth.get_block(0)["hash"]
    with node(data_dir=tmp_path) as w3:  # the same data dir reopens, committee and all
        assert w3.eth.get_block(0)["hash"] == genesis
        assert client(w3, 0).committee().members == {A[0]: 1, A[1]: 1}
