"""The Consensus precompile (0x1003) through a network chain (dev=False) and its ABCI app, in
process: each FISCO call, the admin-only permission, the last-sealer refusal, and the validator
updates FinalizeBlock hands CometBFT."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from eth_abi.abi import decode, encode
from eth_account import Account
from eth_utils.abi import function_signature_to_4byte_selector

from chain.api.chain import Chain, build_chain
from chain.config import DEFAULT_MNEMONIC, ETHER, ChainConfig, MiningMode
from chain.exceptions import ExecutionReverted
from chain.types import CallRequest, GenesisAccount
from network.abci import proto
from network.abci.app import WabeiApp
from vm_hooks.addresses import CONSENSUS, SYSTEM_STUB_CODE
from vm_hooks.consensus.store import genesis_storage

Account.enable_unaudited_hdwallet_features()
ADMIN = Account.from_mnemonic(DEFAULT_MNEMONIC, account_path="m/44'/60'/0'/0/0")
OTHER = Account.from_mnemonic(DEFAULT_MNEMONIC, account_path="m/44'/60'/0'/0/1")
K1, K2, K3, K4 = (bytes([i]) * 32 for i in (1, 2, 3, 4))
GENESIS_TIME = 1_700_000_000
T = proto.types()


def address(account: Any) -> bytes:
    return bytes.fromhex(account.address[2:])


def network_chain(admin: bytes | None = address(ADMIN)) -> Chain:
    alloc = {address(ADMIN): GenesisAccount(balance=10 * ETHER), address(OTHER): GenesisAccount(balance=10 * ETHER),
             CONSENSUS: GenesisAccount(nonce=1, code=SYSTEM_STUB_CODE, storage=genesis_storage(admin, [(K1, 10)]))}
    return build_chain(ChainConfig(dev=False, mining=MiningMode.MANUAL, genesis_timestamp=GENESIS_TIME, alloc=alloc))


def calldata(signature: str, *args: Any) -> bytes:
    types = signature[signature.index("(") + 1:-1]
    return function_signature_to_4byte_selector(signature) + encode(types.split(",") if types else [], list(args))


class Net:
    """A network chain's app, driven height by height as CometBFT's consensus connection does."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.app = WabeiApp(chain)
        self.nonces: dict[str, int] = {}

    def tx(self, sender: Any, signature: str, *args: Any) -> bytes:
        nonce = self.nonces.get(sender.address, 0)
        self.nonces[sender.address] = nonce + 1
        return bytes(sender.sign_transaction(dict(
            to="0x" + CONSENSUS.hex(), data=calldata(signature, *args), gas=500_000, maxFeePerGas=10**10,
            maxPriorityFeePerGas=10**9, nonce=nonce, chainId=31337, type=2)).raw_transaction)

    def block(self, *txs: bytes) -> tuple[list[tuple[bytes, int]], list[int]]:
        """Finalize and commit one block; its validator updates and its receipts' statuses."""
        height = int(self.chain.backend.head.block_number) + 1
        request = T.RequestFinalizeBlock(txs=list(txs), height=height, proposer_address=bytes(20))
        request.time.seconds = GENESIS_TIME + height
        final = self.app.finalize_block(request)
        self.app.commit(T.RequestCommit())
        assert [r.code for r in final.tx_results] == [0] * len(txs)
        stored = self.chain.backend.store.block_by_number(height)
        assert stored is not None
        return ([(bytes(u.pub_key.ed25519), int(u.power)) for u in final.validator_updates],
                [int(r.state_root == b"\x01") for r in stored.receipts])  # EIP-658 status

    def call(self, signature: str, *args: Any, sender: Any = ADMIN) -> bytes:
        request = CallRequest(sender=address(sender), to=CONSENSUS, data=calldata(signature, *args))
        return asyncio.run(self.chain.reads.call(request, None))

    def refused(self, signature: str, *args: Any, sender: Any = ADMIN) -> str:
        with pytest.raises(ExecutionReverted) as caught:
            self.call(signature, *args, sender=sender)
        return str(caught.value.reason)

    def sealers(self) -> dict[str, int]:
        ids, weights = decode(["string[]", "uint256[]"], self.call("getSealerList()"))
        return dict(zip(ids, weights))

    def observers(self) -> list[str]:
        return list(decode(["string[]"], self.call("getObserverList()"))[0])


@pytest.fixture
def net() -> Net:
    return Net(network_chain())


def test_genesis_records_the_admin_and_the_genesis_validators(net: Net) -> None:
    assert net.sealers() == {K1.hex(): 10} and net.observers() == []
    assert decode(["address"], net.call("admin()"))[0].lower() == ADMIN.address.lower()


def test_add_sealer_set_weight_and_remove_become_validator_updates(net: Net) -> None:
    assert net.block(net.tx(ADMIN, "addObserver(string)", K2.hex())) == ([], [1])  # FISCO 3.1: observer first
    assert decode(["int32"], net.call("addSealer(string,uint256)", K2.hex(), 5))[0] == 0  # FISCO's success
    assert net.block(net.tx(ADMIN, "addSealer(string,uint256)", "0x" + K2.hex().upper(), 5)) == ([(K2, 5)], [1])
    assert net.sealers() == {K1.hex(): 10, K2.hex(): 5}
    assert net.block(net.tx(ADMIN, "setWeight(string,uint256)", K2.hex(), 7)) == ([(K2, 7)], [1])
    assert net.block(net.tx(ADMIN, "remove(string)", K2.hex())) == ([(K2, 0)], [1])
    assert net.sealers() == {K1.hex(): 10}


def test_observers_have_no_power_and_a_demoted_sealer_leaves_the_validators(net: Net) -> None:
    assert net.block(net.tx(ADMIN, "addObserver(string)", K3.hex())) == ([], [1])  # never a validator
    assert net.observers() == [K3.hex()] and net.sealers() == {K1.hex(): 10}
    assert net.block(net.tx(ADMIN, "addSealer(string,uint256)", K3.hex(), 2)) == ([(K3, 2)], [1])  # promoted
    assert net.block(net.tx(ADMIN, "addObserver(string)", K3.hex())) == ([(K3, 0)], [1])  # demoted
    assert net.block(net.tx(ADMIN, "remove(string)", K3.hex())) == ([], [1])  # an observer: nothing to remove
    assert net.observers() == []


def test_changes_that_cancel_in_one_block_update_nothing(net: Net) -> None:
    updates, statuses = net.block(net.tx(ADMIN, "addObserver(string)", K4.hex()),
                                  net.tx(ADMIN, "addSealer(string,uint256)", K4.hex(), 1),
                                  net.tx(ADMIN, "remove(string)", K4.hex()))
    assert (updates, statuses) == ([], [1, 1, 1])


def test_a_sealer_must_first_be_an_observer(net: Net) -> None:
    """FISCO 3.1+: addSealer of a node not in the set fails with -51104; addObserver, then
    addSealer, makes it a validator (as FISCO's own ConsensusPrecompiled test does)."""
    reason = net.refused("addSealer(string,uint256)", K3.hex(), 1)
    assert "FISCO -51104 CODE_ADD_SEALER_SHOULD_IN_OBSERVER" in reason and "addObserver first" in reason, reason
    assert net.block(net.tx(ADMIN, "addSealer(string,uint256)", K3.hex(), 1)) == ([], [0])  # mined, reverted
    assert net.sealers() == {K1.hex(): 10} and net.observers() == []
    assert net.block(net.tx(ADMIN, "addObserver(string)", K3.hex()),
                     net.tx(ADMIN, "addSealer(string,uint256)", K3.hex(), 1)) == ([(K3, 1)], [1, 1])
    assert net.block(net.tx(ADMIN, "addSealer(string,uint256)", K3.hex(), 4)) == ([(K3, 4)], [1])  # a sealer: reweighed


def test_the_last_sealer_cannot_be_removed_or_demoted(net: Net) -> None:
    assert "last sealer" in net.refused("remove(string)", K1.hex())
    assert "FISCO -51101 CODE_LAST_SEALER" in net.refused("remove(string)", K1.hex())
    assert "FISCO -51101" in net.refused("addObserver(string)", K1.hex())
    assert net.block(net.tx(ADMIN, "remove(string)", K1.hex())) == ([], [0])  # mined, reverted
    assert net.sealers() == {K1.hex(): 10}
    # With a second sealer, the first may go.
    net.block(net.tx(ADMIN, "addObserver(string)", K2.hex()), net.tx(ADMIN, "addSealer(string,uint256)", K2.hex(), 1))
    assert net.block(net.tx(ADMIN, "remove(string)", K1.hex())) == ([(K1, 0)], [1])
    assert "FISCO -51101" in net.refused("remove(string)", K2.hex())


def test_only_the_genesis_admin_may_change_the_set(net: Net) -> None:
    for signature, args in (("addSealer(string,uint256)", (K2.hex(), 1)), ("addObserver(string)", (K2.hex(),)),
                            ("remove(string)", (K1.hex(),)), ("setWeight(string,uint256)", (K1.hex(), 3))):
        reason = net.refused(signature, *args, sender=OTHER)
        assert f"only the genesis admin {ADMIN.address}" in reason and "FISCO -50000" in reason, reason
    assert net.block(net.tx(OTHER, "addSealer(string,uint256)", K2.hex(), 1)) == ([], [0])
    assert net.sealers() == {K1.hex(): 10}


def test_a_chain_without_an_admin_refuses_every_change() -> None:
    bare = Net(network_chain(admin=None))
    assert "has no admin" in bare.refused("addSealer(string,uint256)", K2.hex(), 1)


@pytest.mark.parametrize(("signature", "args", "message"), [
    ("addSealer(string,uint256)", ("ab" * 31, 1), "FISCO -51100 CODE_INVALID_NODEID"),
    ("addSealer(string,uint256)", ("zz" * 32, 1), "64 hex digits"),
    ("remove(string)", ("",), "FISCO -51100"),
    ("addSealer(string,uint256)", ("02" * 32, 0), "FISCO -51102 CODE_INVALID_WEIGHT"),
    ("addSealer(string,uint256)", ("02" * 32, 2**62), "CometBFT's maximum"),
    ("setWeight(string,uint256)", ("01" * 32, 0), "FISCO -51102"),
    ("setWeight(string,uint256)", ("02" * 32, 1), "FISCO -51103 CODE_NODE_NOT_EXIST"),
    ("remove(string)", ("02" * 32,), "FISCO -51103"),
])
def test_bad_arguments_revert_with_fiscos_code(net: Net, signature: str, args: tuple[Any, ...], message: str) -> None:
    assert message in net.refused(signature, *args)


def test_an_observer_has_no_weight_to_set(net: Net) -> None:
    net.block(net.tx(ADMIN, "addObserver(string)", K3.hex()))
    assert "is an observer" in net.refused("setWeight(string,uint256)", K3.hex(), 4)


def test_a_replayed_height_answers_the_same_updates(net: Net) -> None:
    txs = [net.tx(ADMIN, "addObserver(string)", K2.hex()), net.tx(ADMIN, "addSealer(string,uint256)", K2.hex(), 5)]
    assert net.block(*txs)[0] == [(K2, 5)]
    request = T.RequestFinalizeBlock(txs=txs, height=1, proposer_address=bytes(20))
    request.time.seconds = GENESIS_TIME + 1
    again = net.app.finalize_block(request)
    assert [(bytes(u.pub_key.ed25519), u.power) for u in again.validator_updates] == [(K2, 5)]


def test_init_chain_refuses_validators_that_are_not_the_genesis_sealers(net: Net) -> None:
    request = T.RequestInitChain(initial_height=1, validators=[T.ValidatorUpdate(pub_key={"ed25519": K1}, power=10)])
    request.time.seconds = GENESIS_TIME
    assert net.app.init_chain(request).app_hash == bytes(net.chain.backend.genesis.hash)
    request.validators[0].power = 11
    with pytest.raises(ValueError, match="not the sealers in Wabei's genesis"):
        net.app.init_chain(request)


def test_a_devnet_has_the_precompile_but_no_admin() -> None:
    chain = build_chain(ChainConfig(mining=MiningMode.MANUAL))
    request = CallRequest(sender=address(ADMIN), to=CONSENSUS, data=calldata("remove(string)", K1.hex()))
    with pytest.raises(ExecutionReverted, match="has no admin"):
        asyncio.run(chain.reads.call(request, None))
