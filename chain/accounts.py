"""Dev accounts derived from a BIP-39 mnemonic, as Anvil, Hardhat and Ganache derive them."""
from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_keys.datatypes import PrivateKey

# m/44'/60'/0'/0/i is the path every Ethereum dev tool uses for its default accounts.
_PATH = "m/44'/60'/0'/0/{}"


@dataclass(frozen=True)
class DevAccount:
    address: bytes          # 20 bytes
    private_key: PrivateKey


def derive_accounts(mnemonic: str, count: int) -> tuple[DevAccount, ...]:
    """Derive `count` accounts; raises ValueError for an invalid mnemonic."""
    Account.enable_unaudited_hdwallet_features()
    out = []
    for i in range(count):
        acct = Account.from_mnemonic(mnemonic, account_path=_PATH.format(i))
        key = PrivateKey(acct.key)
        out.append(DevAccount(key.public_key.to_canonical_address(), key))
    return tuple(out)
