"""Dev-account derivation matches eth-account's for every mnemonic, fast path or not."""
from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.hdaccount.mnemonic import Mnemonic
from eth_account.types import Language
from eth_utils import ValidationError
from hypothesis import given, settings, strategies as st

from chain.accounts import _english_seed, derive_accounts

Account.enable_unaudited_hdwallet_features()
DEFAULT = "test test test test test test test test test test test junk"


def _reference(mnemonic: str, count: int) -> list[tuple[bytes, bytes]]:
    out = []
    for i in range(count):
        acct = Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}")
        out.append((bytes.fromhex(acct.address[2:]), bytes(acct.key)))
    return out


def _derived(mnemonic: str, count: int) -> list[tuple[bytes, bytes]]:
    return [(a.address, a.private_key.to_bytes()) for a in derive_accounts(mnemonic, count)]


@pytest.mark.parametrize("mnemonic", [
    DEFAULT,
    "legal winner thank year wave sausage worth useful legal winner thank yellow",
    "zoo " * 23 + "vote",
])
def test_known_mnemonics_match_eth_account(mnemonic: str) -> None:
    assert _english_seed(mnemonic) is not None  # the fast path decides these
    assert _derived(mnemonic, 12) == _reference(mnemonic, 12)


def test_default_account_zero_is_the_well_known_one() -> None:
    assert derive_accounts(DEFAULT, 1)[0].address.hex() == "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"


@settings(max_examples=25, deadline=None)
@given(entropy=st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_random_english_mnemonics_match_eth_account(entropy: bytes) -> None:
    mnemonic = Mnemonic(Language.ENGLISH).to_mnemonic(entropy)
    assert _derived(mnemonic, 3) == _reference(mnemonic, 3)


def test_other_languages_fall_back_to_eth_account() -> None:
    spanish = Mnemonic(Language.SPANISH).to_mnemonic(bytes(range(16)))
    assert _english_seed(spanish) is None
    assert _derived(spanish, 2) == _reference(spanish, 2)


@pytest.mark.parametrize("bad", [
    "test test test test test test test test test test test test",  # checksum
    "test test test",                                               # length
    "not a mnemonic at all but twelve words long enough ok fine yes",
    "tes test test test test test test test test test test junk",   # abbreviated
    "test  test test test test test test test test test test junk",  # two spaces
])
def test_invalid_mnemonics_raise_as_eth_account_does(bad: str) -> None:
    with pytest.raises(ValidationError):
        derive_accounts(bad, 1)
