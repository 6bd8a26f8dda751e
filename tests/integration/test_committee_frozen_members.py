"""Committee members and frozen accounts exclude each other, both ways: the account manager
(0x…10003) refuses to freeze a member, and the committee (0x…10001) refuses to add a frozen
account, at proposal creation and again when the proposal executes. A governed devnet: the
committee is seeded by genesis, the chain admin is the first dev account."""
from __future__ import annotations

import pytest

from governance.client import AccountClient, Status
from governance.committee import CommitteeClient, CommitteeRejected
from governance.errors import GovernanceRejected
from tests.integration.committee_helpers import A, node
from vm_hooks.governance.genesis import GovernanceFileError, parse_governance

BOTH_MUST_AGREE = {"members": {A[1]: 1, A[2]: 1}, "participatesRate": 100, "winRate": 50}


def test_the_account_manager_refuses_to_freeze_a_committee_member() -> None:
    with node(BOTH_MUST_AGREE) as w3:
        admin = AccountClient(w3, sender=A[0])
        with pytest.raises(GovernanceRejected, match=f"{A[1]} is a committee member and cannot be frozen"):
            admin.freeze(A[1])
        with pytest.raises(GovernanceRejected, match="is a committee member and cannot be frozen or abolished"):
            admin.set_status(A[2], Status.ABOLISHED)
        assert admin.status(A[1]) == Status.NORMAL and admin.status(A[2]) == Status.NORMAL
        admin.freeze(A[3])  # not a member: allowed
        assert admin.status(A[3]) == Status.FROZEN


def test_the_committee_refuses_to_add_a_frozen_account_at_creation() -> None:
    with node(BOTH_MUST_AGREE) as w3:
        AccountClient(w3, sender=A[0]).freeze(A[3])
        member = CommitteeClient(w3, A[1])
        with pytest.raises(CommitteeRejected, match=f"{A[3]} is frozen .*cannot be a committee member"):
            member.update_governor(A[3], 1)
        assert member.count() == 0
        assert member.committee().members == {A[1]: 1, A[2]: 1}
        member.update_governor(A[3], 0)  # removing (weight 0) a frozen non-member is no join: allowed


def test_an_account_frozen_after_the_proposal_cannot_join_when_it_passes() -> None:
    with node(BOTH_MUST_AGREE) as w3:
        pid = CommitteeClient(w3, A[1]).update_governor(A[4], 1)  # open: A[2] must agree too
        admin = AccountClient(w3, sender=A[0])
        admin.freeze(A[4])
        second = CommitteeClient(w3, A[2])
        with pytest.raises(CommitteeRejected, match=f"proposal {pid} passed but could not be executed.*"
                                                    f"{A[4]} is frozen"):
            second.vote(pid, True)
        assert second.committee().members == {A[1]: 1, A[2]: 1}
        assert second.proposal(pid).status_name == "created"  # the vote was undone, not the proposal
        admin.unfreeze(A[4])
        assert second.vote(pid, True).status_name == "passed"
        assert second.committee().members == {A[1]: 1, A[2]: 1, A[4]: 1}
        with pytest.raises(GovernanceRejected, match="is a committee member"):
            admin.freeze(A[4])  # and now the other direction holds for the new member


def test_a_governance_file_cannot_start_a_member_frozen() -> None:
    doc = {"frozenAccounts": [A[2]], "committee": {"members": {A[1]: 1, A[2]: 1}}}
    with pytest.raises(GovernanceFileError, match=f"committee member {A[2]} cannot be in frozenAccounts"):
        parse_governance(doc)
    parse_governance({"frozenAccounts": [A[3]], "committee": {"members": {A[1]: 1, A[2]: 1}}})
