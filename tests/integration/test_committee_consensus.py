"""The committee changing the validator set: on a network-style chain (dev=False, with the
Consensus precompile 0x1003 at genesis and no admin), a passed proposal calls 0x1003 from the
committee's address, and 0x1003 accepts it; anyone else is still refused."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from eth_utils.address import to_canonical_address
from web3 import Web3

from chain.config import ETHER
from chain.types import GenesisAccount
from governance.committee import CommitteeClient, CommitteeRejected
from tests.integration.committee_helpers import A, node
from vm_hooks.addresses import CONSENSUS, SYSTEM_STUB_CODE
from vm_hooks.consensus.store import genesis_storage

K1, K2 = "01" * 32, "02" * 32
CONSENSUS_ABI = [
    {"type": "function", "name": "getSealerList", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string[]"}, {"name": "", "type": "uint256[]"}]},
    {"type": "function", "name": "getObserverList", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string[]"}]},
    {"type": "function", "name": "addSealer", "stateMutability": "nonpayable",
     "inputs": [{"name": "", "type": "string"}, {"name": "", "type": "uint256"}],
     "outputs": [{"name": "", "type": "int32"}]},
    {"type": "function", "name": "addObserver", "stateMutability": "nonpayable",
     "inputs": [{"name": "", "type": "string"}], "outputs": [{"name": "", "type": "int32"}]},
]


@contextmanager
def network_chain(admin: str | None = None) -> Iterator[Web3]:
    """dev=False, the Consensus account with sealer K1 and `admin`, a two-member committee."""
    alloc = {to_canonical_address(a): GenesisAccount(balance=10 * ETHER) for a in A}
    storage = genesis_storage(to_canonical_address(admin) if admin else None, [(bytes.fromhex(K1), 10)])
    alloc[CONSENSUS] = GenesisAccount(nonce=1, code=SYSTEM_STUB_CODE, storage=storage)
    committee = {"members": {A[0]: 1, A[1]: 1}, "participatesRate": 100, "winRate": 100}
    with node(committee, dev=False, alloc=alloc) as w3:
        yield w3


def sealers(w3: Web3) -> dict[str, int]:
    ids, weights = w3.eth.contract(address=Web3.to_checksum_address(CONSENSUS), abi=CONSENSUS_ABI) \
        .functions.getSealerList().call()
    return dict(zip(ids, weights))


def test_a_passed_proposal_adds_reweights_and_removes_a_sealer() -> None:
    with network_chain() as w3:
        gov, other = CommitteeClient(w3, A[0]), CommitteeClient(w3, A[1])
        # FISCO 3.1's order: an observer first (weight 0), then a sealer.
        assert other.vote(gov.set_consensus_weight(K2, 0), True).status_name == "passed"
        add = gov.set_consensus_weight(K2, 5)
        assert sealers(w3) == {K1: 10}  # half the committee has voted: nothing changes yet
        assert other.vote(add, True).status_name == "passed"
        assert sealers(w3) == {K1: 10, K2: 5}
        other.vote(gov.set_consensus_weight(K2, 7, add=False), True)
        assert sealers(w3) == {K1: 10, K2: 7}
        demote = gov.set_consensus_weight(K2, 0)  # add with weight 0: an observer
        other.vote(demote, True)
        observers = w3.eth.contract(address=Web3.to_checksum_address(CONSENSUS), abi=CONSENSUS_ABI) \
            .functions.getObserverList().call()
        assert sealers(w3) == {K1: 10} and observers == [K2]
        other.vote(gov.remove_node(K2), True)
        assert sealers(w3) == {K1: 10}


def test_the_consensus_precompiles_own_refusal_undoes_the_vote() -> None:
    with network_chain() as w3:
        gov, other = CommitteeClient(w3, A[0]), CommitteeClient(w3, A[1])
        last = gov.remove_node(K1)
        with pytest.raises(CommitteeRejected, match="FISCO -51101 CODE_LAST_SEALER") as caught:
            other.vote(last, True)
        assert f"proposal {last} passed but could not be executed" in caught.value.reason
        assert gov.proposal(last).status_name == "created" and sealers(w3) == {K1: 10}


def test_on_a_chain_without_admin_only_the_committee_changes_the_set() -> None:
    with network_chain() as w3:
        direct = w3.eth.contract(address=Web3.to_checksum_address(CONSENSUS), abi=CONSENSUS_ABI)
        with pytest.raises(Exception, match="can be changed only by a committee proposal"):
            direct.functions.addSealer(K2, 1).call({"from": A[0]})


def test_the_genesis_admin_keeps_its_direct_power_beside_the_committee() -> None:
    with network_chain(admin=A[5]) as w3:
        direct = w3.eth.contract(address=Web3.to_checksum_address(CONSENSUS), abi=CONSENSUS_ABI)
        with pytest.raises(Exception, match="FISCO -51104"):  # an observer first (FISCO 3.1)
            direct.functions.addSealer(K2, 1).call({"from": A[5]})
        assert w3.eth.wait_for_transaction_receipt(
            direct.functions.addObserver(K2).transact({"from": A[5]}))["status"] == 1
        assert direct.functions.addSealer(K2, 1).call({"from": A[5]}) == 0
        with pytest.raises(Exception, match=f"only the genesis admin {A[5]} or a committee proposal"):
            direct.functions.addSealer(K2, 1).call({"from": A[0]})
