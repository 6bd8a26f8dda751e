"""Regulation on a network chain (dev=False) through its ABCI app, in process, height by height
as CometBFT drives it: regulators and KYC issuers seeded by the governance file (a network chain
has no default admin), an interception mined with status 0 and its report in the receipt and
the index, and a KYC-gated transfer."""
from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_account import Account
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from chain.api.chain import Chain, build_chain
from chain.api.regulation import RegulationReads
from chain.config import DEFAULT_MNEMONIC, ETHER, ChainConfig, MiningMode
from chain.types import GenesisAccount
from network.abci import proto
from network.abci.app import WabeiApp
from vm_hooks.addresses import IDENTITY, REGULATION
from vm_hooks.governance.genesis import parse_governance
from vm_hooks.regulation.report import INTERCEPTED, decode_report

Account.enable_unaudited_hdwallet_features()
REGULATOR, ISSUER, USER, MALLORY = (Account.from_mnemonic(DEFAULT_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
                                    for i in range(4))
GENESIS_TIME = 1_700_000_000
T = proto.types()


def _calldata(signature: str, *args: Any) -> bytes:
    types = signature[signature.index("(") + 1:-1]
    return function_signature_to_4byte_selector(signature) + encode(types.split(",") if types else [], list(args))


class Net:
    def __init__(self) -> None:
        governance = parse_governance({"regulators": [REGULATOR.address], "kycIssuers": [ISSUER.address]})
        alloc = {bytes.fromhex(a.address[2:]): GenesisAccount(balance=10 * ETHER)
                 for a in (REGULATOR, ISSUER, USER, MALLORY)}
        self.chain: Chain = build_chain(ChainConfig(dev=False, mining=MiningMode.MANUAL, genesis_timestamp=GENESIS_TIME,
                                                    alloc=alloc, governance=governance))
        self.app = WabeiApp(self.chain)
        self.nonces: dict[str, int] = {}

    def tx(self, sender: Any, to: bytes, data: bytes = b"", value: int = 0) -> bytes:
        nonce = self.nonces.get(sender.address, 0)
        self.nonces[sender.address] = nonce + 1
        return bytes(sender.sign_transaction(dict(
            to=to_checksum_address(to), data=data, value=value, gas=300_000, maxFeePerGas=10**10,
            maxPriorityFeePerGas=10**9, nonce=nonce, chainId=31337, type=2)).raw_transaction)

    def block(self, *txs: bytes) -> list[Any]:
        height = int(self.chain.backend.head.block_number) + 1
        request = T.RequestFinalizeBlock(txs=list(txs), height=height, proposer_address=bytes(20))
        request.time.seconds = GENESIS_TIME + height
        final = self.app.finalize_block(request)
        self.app.commit(T.RequestCommit())
        assert [r.code for r in final.tx_results] == [0] * len(txs)
        stored = self.chain.backend.store.block_by_number(height)
        assert stored is not None
        return list(stored.receipts)


def _reports(receipt: Any) -> list[Any]:
    return [decode_report(tuple(t.to_bytes(32, "big") for t in log.topics), bytes(log.data))
            for log in receipt.logs if bytes(log.address) == REGULATION and log.topics[0] == int.from_bytes(INTERCEPTED, "big")]


def _status(receipt: Any) -> int:
    return int(receipt.state_root == b"\x01")


def test_seeded_regulator_intercepts_and_kyc_unlocks_a_transfer_on_a_network_chain() -> None:
    net = Net()
    mallory, user = bytes.fromhex(MALLORY.address[2:]), bytes.fromhex(USER.address[2:])
    rules = net.block(
        net.tx(REGULATOR, REGULATION, _calldata("setAddressBlocked(address,bool)", MALLORY.address, True)),
        net.tx(REGULATOR, REGULATION, _calldata("setValueThreshold(address,uint256,uint8)", "0x" + "00" * 20, ETHER, 1)),
        # Nobody governs here: a network chain has no default admin, so USER's try fails.
        net.tx(USER, IDENTITY, _calldata("setIssuer(address,bool)", USER.address, True)))
    assert [_status(r) for r in rules] == [1, 1, 0]
    assert _reports(rules[2]) == []  # refused by the registry, not intercepted
    first = net.block(net.tx(MALLORY, user, value=1), net.tx(USER, mallory, value=1), net.tx(USER, mallory[::-1], value=2 * ETHER))
    assert [_status(r) for r in first] == [0, 0, 0]
    assert [r.rule for rec in first for r in _reports(rec)] == [1, 2, 4]
    assert _reports(first[2])[0].amount == 2 * ETHER
    expiry = GENESIS_TIME + 10_000
    bound = net.block(net.tx(ISSUER, IDENTITY, _calldata("setIdentity(address,bytes32,uint8,uint64)",
                                                          USER.address, b"\x07" * 32, 1, expiry)),
                      net.tx(USER, mallory[::-1], value=2 * ETHER))
    assert [_status(r) for r in bound] == [1, 1]
    reads = RegulationReads(net.chain.reads)
    assert reads.interception_total() == 3
    page = reads.interceptions(0, 10)
    assert [i.rule_name for i in page.items] == ["blocked sender", "blocked target", "value above threshold without KYC"]
    assert reads.identity(user, net.chain.backend.head).level == 1
    net.chain.close()
