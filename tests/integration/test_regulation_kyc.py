"""KYC-gated transfers and the identity registry (0x…1011) over the wire: below a threshold
passes, above it without KYC is intercepted, with KYC at the level passes, an expired or
revoked identity (or one whose issuer was removed) is intercepted again; ERC-20 amounts by
selector; the registry from a contract and by RPC; committee proposals appoint the roles."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3

from governance.committee import CommitteeClient
from governance.errors import GovernanceInputError, GovernanceRejected
from governance.kyc import IdentityClient, record_hash
from governance.regulation import RegulationClient
from tests.inprocess import in_process
from tests.integration.helpers import A0, A1, deploy, deploy_token, dev_account, rpc
from tests.integration.regulation_helpers import ISSUER, appoint, call_error, reports, send

USER, OTHER_ISSUER, SPENDER = (dev_account(i).address for i in (5, 6, 9))
ETH = 10**18


@pytest.fixture(scope="module")
def node() -> Iterator[Any]:
    thread, handle = in_process()
    yield handle
    thread.close()


@pytest.fixture(scope="module")
def w3(node: Any) -> Web3:
    return Web3(Web3.HTTPProvider(node.http_url))


@pytest.fixture(scope="module")
def clients(w3: Web3) -> tuple[RegulationClient, IdentityClient]:
    return appoint(w3)


def _now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def test_ether_above_the_threshold_needs_a_valid_identity_at_the_level(node: Any, w3: Web3,
                                                                       clients: tuple[Any, Any]) -> None:
    reg, kyc = clients
    reg.set_threshold(ETH, min_level=2)
    assert send(w3, {"from": USER, "to": A1, "value": ETH})["status"] == 1  # at the threshold: passes
    above = {"from": USER, "to": A1, "value": ETH + 1}
    refused = send(w3, above)
    (report,) = reports(refused)
    assert refused["status"] == 0 and report.rule_name == "value above threshold without KYC"
    assert report.amount == ETH + 1 and "needs KYC level 2" in report.reason and "no valid KYC identity" in report.reason
    err = call_error(node.http_url, "eth_call", above)
    assert err["code"] == 3 and report.reason in err["message"]
    kyc.bind(USER, record_hash(b"passport scan, kept off chain"), level=1, expiry=_now(w3) + 3600)
    (low,) = reports(send(w3, above))
    assert "it has KYC level 1" in low.reason
    kyc.bind(USER, record_hash(b"passport scan, kept off chain"), level=2, expiry=_now(w3) + 100)
    assert send(w3, above)["status"] == 1
    assert kyc.identity(USER).valid and kyc.level(USER) == 2  # type: ignore[union-attr]
    # Expired: the registry judges by the block's timestamp.
    rpc(node.http_url, "evm_increaseTime", [200])
    rpc(node.http_url, "evm_mine")
    assert kyc.level(USER) == 0 and kyc.identity(USER).valid is False  # type: ignore[union-attr]
    expired = send(w3, above)
    assert expired["status"] == 0 and "no valid KYC identity" in reports(expired)[0].reason
    # Removing the issuer invalidates what it bound; re-appointing restores it.
    kyc.bind(USER, record_hash(b"renewed"), level=3, expiry=_now(w3) + 3600)
    IdentityClient(w3, sender=A0).set_issuer(ISSUER, False)
    assert send(w3, above)["status"] == 0
    IdentityClient(w3, sender=A0).set_issuer(ISSUER, True)
    assert send(w3, above)["status"] == 1
    reg.remove_threshold()
    assert reg.threshold() is None


def test_token_amounts_by_selector_transfer_and_transfer_from(w3: Web3, clients: tuple[Any, Any]) -> None:
    reg, kyc = clients
    token = deploy_token(w3)
    holder = dev_account(2).address
    send(w3, {"from": A0, "to": token.address, "data": token.encode_abi("transfer", [holder, 10_000])})
    reg.set_threshold(1_000, 1, token=token.address)
    small = send(w3, {"from": holder, "to": token.address, "data": token.encode_abi("transfer", [A1, 1_000])})
    assert small["status"] == 1
    big = send(w3, {"from": holder, "to": token.address, "data": token.encode_abi("transfer", [A1, 1_001])})
    (report,) = reports(big)
    assert big["status"] == 0 and report.rule_name == "token amount above threshold without KYC"
    assert report.amount == 1_001 and report.target == token.address
    # transferFrom weighs the holder (`from`), not the spender who sends it.
    send(w3, {"from": holder, "to": token.address, "data": token.encode_abi("approve", [SPENDER, 5_000])})
    pulled = {"from": SPENDER, "to": token.address,
              "data": token.encode_abi("transferFrom", [holder, SPENDER, 2_000])}
    (pull,) = reports(send(w3, pulled))
    assert pull.sender == SPENDER and f"{holder} transfers 2000 of token" in pull.reason
    kyc.bind(holder, record_hash("holder"), level=1, expiry=_now(w3) + 3600)
    assert send(w3, pulled)["status"] == 1
    assert token.functions.balanceOf(SPENDER).call() == 2_000


def test_the_registry_from_a_contract_and_by_rpc(node: Any, w3: Web3, clients: tuple[Any, Any]) -> None:
    _, kyc = clients
    probe = deploy(w3, "RegProbe")
    member = dev_account(1).address
    with pytest.raises(Exception, match="RegProbe: caller is not KYC-verified"):
        probe.functions.onlyVerified(1).call({"from": member})
    digest = record_hash(b"company registration")
    expiry = _now(w3) + 3600
    kyc.bind(member, digest, level=4, expiry=expiry)
    assert probe.functions.onlyVerified(3).call({"from": member}) == 4
    got = rpc(node.http_url, "wabei_getIdentity", [member])
    assert got == {"recordHash": "0x" + digest.hex(), "level": 4, "expiry": hex(expiry),
                   "issuer": ISSUER.lower(), "valid": True, "effectiveLevel": 4}
    assert rpc(node.http_url, "wabei_getIdentity", [member, "0x1"]) is None  # before it was bound
    assert rpc(node.http_url, "wabei_getIdentity", [dev_account(9).address]) is None


def test_issuers_and_identities_refuse_the_unauthorised(w3: Web3, clients: tuple[Any, Any]) -> None:
    _, kyc = clients
    target = dev_account(6).address
    with pytest.raises(GovernanceRejected, match=f"only an authorised KYC issuer may bind identities, not {A1}"):
        IdentityClient(w3, sender=A1).bind(target, record_hash("x"), 1, _now(w3) + 60)
    with pytest.raises(GovernanceRejected, match=f"only the chain's governors .* may authorise or remove KYC "
                                                 f"issuers, not {A1}"):
        IdentityClient(w3, sender=A1).set_issuer(A1)
    with pytest.raises(GovernanceRejected, match="expiry .* is not after this block's timestamp"):
        kyc.bind(target, record_hash("x"), 1, 1)
    with pytest.raises(GovernanceInputError, match="a KYC level is 1..255"):
        kyc.bind(target, record_hash("x"), 0, _now(w3) + 60)
    with pytest.raises(GovernanceInputError, match="a record hash is 32 non-zero bytes"):
        kyc.bind(target, "0x1234", 1, _now(w3) + 60)
    kyc.bind(target, record_hash("x"), 1, _now(w3) + 3600)
    IdentityClient(w3, sender=A0).set_issuer(OTHER_ISSUER)
    other = IdentityClient(w3, sender=OTHER_ISSUER)
    with pytest.raises(GovernanceRejected, match=f"is bound by issuer {ISSUER} until its expiry"):
        other.bind(target, record_hash("y"), 5, _now(w3) + 3600)
    with pytest.raises(GovernanceRejected, match=f"only its issuer {ISSUER} or a governor may revoke"):
        other.revoke(target)
    assert kyc.identity(target).level == 1  # type: ignore[union-attr]  # unchanged by the refusals
    IdentityClient(w3, sender=A0).revoke(target)  # a governor may
    assert kyc.identity(target) is None
    assert set(kyc.issuers()) == {ISSUER, OTHER_ISSUER}


def test_committee_proposals_appoint_a_regulator_and_an_issuer(w3: Web3) -> None:
    newcomer = dev_account(3).address
    committee = CommitteeClient(w3, sender=A0)  # the devnet's sole member: proposals pass as made
    pid = committee.set_regulator(newcomer)
    assert committee.proposal(pid).status_name == "passed"
    assert RegulationClient(w3).is_regulator(newcomer)
    committee.set_kyc_issuer(newcomer)
    assert IdentityClient(w3).is_issuer(newcomer)
    committee.set_regulator(newcomer, False)
    assert not RegulationClient(w3).is_regulator(newcomer)
