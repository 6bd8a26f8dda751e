"""Helpers shared by the sharing-suite integration tests."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractCustomError
from web3.types import RPCEndpoint, RPCResponse, TxReceipt

from sharing import SharingClient
from sharing.model import Ledger

ETH = 10**18
FINNEY = 10**15  # 0.001 ETH


@contextmanager
def clean_chain(w3: Web3) -> Iterator[None]:
    """Run the body on a chain that is put back afterwards: ``evm_snapshot`` before, ``evm_revert`` after.

    This node's ``evm_revert`` consumes the snapshot it restores and every later one (as
    Hardhat's does), so each use takes its own, and uses nest: an inner block reverts before the
    outer one. Reverting restores state, blocks and the clock offset; impersonated accounts stay.
    """
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield
    finally:
        reverted = w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        assert reverted.get("result") is True, f"evm_revert({snapshot}) failed: {reverted}"


def gas_cost(receipt: TxReceipt) -> int:
    """Wei the sender paid for gas."""
    return int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])


def h(text: str) -> bytes:
    """A 32-byte document hash standing for an off-chain document."""
    return Web3.keccak(text=text)


@contextmanager
def reverts(client: SharingClient, error: str, *args: Any) -> Iterator[None]:
    """Expect the suite's custom error ``error`` (and, if given, exactly ``args``)."""
    with pytest.raises(ContractCustomError) as info:
        yield
    decoded = client.decode_error(info.value)
    assert decoded is not None, f"undecodable revert {info.value!r}"
    assert decoded.name == error, f"expected {error}, got {decoded.name}{decoded.args}"
    if args:
        assert decoded.args == args, f"{error}: expected args {args}, got {decoded.args}"


def onboard(c: SharingClient, merchant: str, buyers: tuple[str, ...] | list[str]) -> None:
    """KYC a merchant (level 2) and buyers (level 1), register the merchant with a 100-unit
    pledge and a 1 ETH bond: the cast every sharing scenario starts from."""
    c.set_kyc(merchant, 2)
    for b in buyers:
        c.set_kyc(b, 1)
    c.register_merchant(merchant, h("merchant"))
    c.record_pledge(merchant, 100)
    c.post_bond(merchant, ETH)


def impersonate(w3: Web3, address: str, funds: int = ETH) -> None:
    """Let the dev node send transactions from ``address`` (a contract, say), with ``funds`` wei for gas."""
    w3.provider.make_request("anvil_setBalance", [address, hex(funds)])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_impersonateAccount", [address])  # type: ignore[arg-type]


def watch(client: SharingClient, *accounts: str) -> Callable[[], list[int]]:
    """Snapshot ETH balances; the returned function gives each account's change since."""
    before = [client.eth(a) for a in accounts]
    return lambda: [client.eth(a) - b for a, b in zip(accounts, before)]


def check_ledger_invariants(ledger: Ledger, supply: int) -> None:
    """The conservation laws every listing keeps (see IPresaleManager.Ledger)."""
    assert ledger.sold == supply + ledger.redeemed + ledger.refunded_units + ledger.bought_back_units
    assert ledger.raised == (ledger.refunded + ledger.released + ledger.fee + ledger.welfare + ledger.escrow
                             + ledger.escrow_to_buyback)
    assert ledger.buyback_funded == ledger.buyback_paid + ledger.buyback_pool


class PinnedClockProvider(HTTPProvider):
    """An HTTP provider that makes the chain's time a function of the requests alone: every
    block is mined one second after the head, or `evm_increaseTime`'s seconds after it.

    Without it a block's time is the wall clock (plus the offset time travel added), so the same
    sequence of requests gives blocks whose times differ by however long the machine took, and
    a step that lands at a window's last second passes in one run and fails in the next; a
    hypothesis example then cannot be replayed (FlakyStrategyDefinition). Before a request that
    mines (or estimates in the next block's context, `pending`) it sets the next block's time
    with `evm_setNextBlockTimestamp`; everything goes through `make_request`, the provider's own
    `w3.provider.make_request` calls included.
    """

    _NEXT_BLOCK = frozenset({"eth_sendTransaction", "eth_sendRawTransaction", "evm_mine", "eth_estimateGas"})

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._jump = 0  # seconds asked for by evm_increaseTime since the last block

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        if method == "evm_increaseTime":
            self._jump += int(params[0])
        elif method in self._NEXT_BLOCK:
            head = super().make_request(RPCEndpoint("eth_getBlockByNumber"), ["latest", False])
            pinned = int(head["result"]["timestamp"], 16) + max(1, self._jump)
            super().make_request(RPCEndpoint("evm_setNextBlockTimestamp"), [pinned])
            if method != "eth_estimateGas":
                self._jump = 0
        return super().make_request(method, params)
