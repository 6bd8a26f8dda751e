"""web3_* methods."""
from __future__ import annotations

from typing import Any

from chain.rpc import codec
from vm_hooks.abi_hash import abi_keccak

CLIENT_VERSION = "wabei/v0.1.0/python"


class Web3Namespace:
    prefixes = ("web3",)

    def clientVersion(self) -> str:
        return CLIENT_VERSION

    def sha3(self, value: Any) -> str:
        return "0x" + abi_keccak(codec.data(value, "data")).hex()  # the Ethereum API's keccak
