"""Signing for unlocked dev accounts: transactions, EIP-191 messages, EIP-712 typed data."""
from __future__ import annotations

from typing import Any

from eth_keys.datatypes import PrivateKey

# eth-account is imported where it is used: importing it costs about a tenth of the node's
# start-up (see chain/accounts.py), and only eth_sign / eth_signTypedData need it.


def sign_message(key: PrivateKey, message: bytes) -> bytes:
    """eth_sign / personal_sign: the EIP-191 "Ethereum Signed Message" prefix, 65-byte r||s||v."""
    from eth_account import Account
    from eth_account.messages import encode_defunct

    signed = Account.sign_message(encode_defunct(primitive=message), key.to_bytes())
    return bytes(signed.signature)


def sign_typed_data(key: PrivateKey, typed_data: dict[str, Any]) -> bytes:
    """eth_signTypedData_v4 over the full EIP-712 message."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    signed = Account.sign_message(encode_typed_data(full_message=typed_data), key.to_bytes())
    return bytes(signed.signature)
