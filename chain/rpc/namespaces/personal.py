"""personal_sign: what wallets and ethers' JsonRpcSigner.signMessage send."""
from __future__ import annotations

from typing import Any

from chain.api.transactions import Transactions
from chain.rpc import codec


class PersonalNamespace:
    prefixes = ("personal",)

    def __init__(self, transactions: Transactions) -> None:
        self._txs = transactions

    def sign(self, message: Any, address: Any, _password: Any = None) -> str:
        """Note the argument order: message first, unlike eth_sign."""
        return "0x" + self._txs.sign(codec.address(address, "address"), codec.data(message, "message")).hex()
