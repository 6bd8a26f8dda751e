"""Pure readings of a signed transaction's fields that py-evm spreads over several APIs, and the
one conversion of Wabei's plain values into a py-evm field."""
from __future__ import annotations

from typing import cast

from eth.abc import LegacyTransactionFieldsAPI, SignedTransactionAPI
from eth.vm.forks.prague.transactions import Authorization as PragueAuthorization
from eth_typing import Address

from chain.types import Authorization


def tx_chain_id(tx: SignedTransactionAPI) -> int | None:
    """The chain id a transaction is signed for; None for a pre-EIP-155 legacy transaction."""
    chain_id = getattr(tx, "chain_id", None)
    if chain_id is not None:
        return int(chain_id)
    # No chain id means a legacy transaction, whose `v` py-evm exposes only on the legacy API.
    v = int(cast(LegacyTransactionFieldsAPI, tx).v)
    return None if v in (27, 28) else (v - 35) // 2


def fee_fields(tx: SignedTransactionAPI) -> tuple[int, int]:
    """(max fee per gas, max priority fee per gas) with legacy gas price in both."""
    max_fee = getattr(tx, "max_fee_per_gas", None)
    if max_fee is None:
        return int(tx.gas_price), int(tx.gas_price)
    return int(max_fee), int(tx.max_priority_fee_per_gas)


def py_evm_authorization(a: Authorization) -> PragueAuthorization:
    """An EIP-7702 authorization as py-evm's type-4 transaction builders take it."""
    return PragueAuthorization(chain_id=a.chain_id, address=Address(a.address), nonce=a.nonce,
                               y_parity=a.y_parity, r=a.r, s=a.s)
