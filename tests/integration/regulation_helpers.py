"""Shared helpers for the regulation tests: a node with a regulator and a KYC issuer, sending
transactions that may be intercepted (explicit gas, so no estimate refuses them first), and
reading the reports."""
from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.types import TxReceipt

from governance.kyc import IdentityClient
from governance.regulation import REGULATION_ADDRESS, InterceptionReport, RegulationClient, decode_log
from tests.integration.helpers import A0, dev_account, rpc

REGULATOR = dev_account(7).address
ISSUER = dev_account(8).address
GAS = 300_000


def appoint(w3: Web3) -> tuple[RegulationClient, IdentityClient]:
    """The devnet's admin (A0, a governor) appoints REGULATOR and the KYC issuer ISSUER."""
    RegulationClient(w3, sender=A0).set_regulator(REGULATOR)
    IdentityClient(w3, sender=A0).set_issuer(ISSUER)
    return RegulationClient(w3, sender=REGULATOR), IdentityClient(w3, sender=ISSUER)


def send(w3: Web3, tx: dict[str, Any]) -> TxReceipt:
    """Mine `tx` (from a node-managed account) with explicit gas and return its receipt."""
    return w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"gas": GAS, **tx}))


def reports(receipt: TxReceipt) -> list[InterceptionReport]:
    """The interception reports in a receipt (its Intercepted logs from 0x…1010)."""
    return [decode_log(log) for log in receipt["logs"] if log["address"] == REGULATION_ADDRESS
            and len(log["topics"]) == 4]


def call_error(url: str, method: str, tx: dict[str, Any]) -> dict[str, Any]:
    """The error eth_call / eth_estimateGas answers for `tx` (which must fail)."""
    from tests.integration.helpers import rpc_error
    wire = {k: hex(v) if isinstance(v, int) else v for k, v in tx.items()}
    return rpc_error(url, method, [wire] + (["latest"] if method == "eth_call" else []))


def interceptions(url: str, start: int = 0, limit: int = 100) -> dict[str, Any]:
    page: dict[str, Any] = rpc(url, "wabei_getInterceptions", [hex(start), hex(limit)])
    return page
