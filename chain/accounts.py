"""Dev accounts derived from a BIP-39 mnemonic, as Anvil, Hardhat and Ganache derive them.

The usual case, an English mnemonic of whole words with a valid checksum, is derived here with
hashlib and coincurve (BIP-39 seed, then BIP-32 along m/44'/60'/0'/0/i), from one seed for all
accounts. Importing eth-account costs about a tenth of the node's start-up (its keyfile module
builds BLS12-381 pairing tables the node never uses) and it re-derives the seed per account, so it
is imported only for what this module does not decide itself: other wordlists, abbreviated
words, and invalid phrases, whose errors therefore stay eth-account's.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from coincurve import PrivateKey as CurveKey
from eth_keys.datatypes import PrivateKey

from chain.crypto import SECP256K1_N  # BIP-32 derives on secp256k1 whatever the chain's suite

# m/44'/60'/0'/0/i is the path every Ethereum dev tool uses for its default accounts.
_PATH = "m/44'/60'/0'/0/{}"
_HARDENED = 2**31
_WORD_COUNTS = (12, 15, 18, 21, 24)


@dataclass(frozen=True)
class DevAccount:
    address: bytes          # 20 bytes
    private_key: PrivateKey


def derive_accounts(mnemonic: str, count: int) -> tuple[DevAccount, ...]:
    """Derive `count` accounts; raises eth-account's ValidationError for an invalid mnemonic."""
    seed = _english_seed(mnemonic)
    if seed is None:
        return _derive_with_eth_account(mnemonic, count)
    key, chain_code = _master(seed)
    for index in (44 + _HARDENED, 60 + _HARDENED, _HARDENED, 0):
        key, chain_code = _child(key, chain_code, index)
    keys = (PrivateKey(_child(key, chain_code, i)[0]) for i in range(count))
    return tuple(DevAccount(k.public_key.to_canonical_address(), k) for k in keys)


def _english_seed(mnemonic: str) -> bytes | None:
    """The BIP-39 seed (empty passphrase) when eth-account would accept `mnemonic` as English as
    it is; None when that takes more than this function knows (let eth-account decide)."""
    wordlists = _wordlists()
    english = wordlists.get("english")
    words = mnemonic.split(" ")
    if english is None or not mnemonic.isascii() or len(words) not in _WORD_COUNTS:
        return None
    index = {w: i for i, w in enumerate(english)}
    if any(w not in index for w in words):
        return None
    # eth-account refuses a phrase whose words all belong to more than one wordlist.
    if any(name != "english" and set(words) <= set(wl) for name, wl in wordlists.items()):
        return None
    bits = 0
    for w in words:
        bits = (bits << 11) | index[w]
    checksum_bits = len(words) // 3
    entropy = (bits >> checksum_bits).to_bytes(len(words) * 4 // 3, "big")
    if hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) != bits & ((1 << checksum_bits) - 1):
        return None
    return hashlib.pbkdf2_hmac("sha512", mnemonic.encode(), b"mnemonic", 2048)


def _wordlists() -> dict[str, list[str]]:
    """eth-account's BIP-39 wordlists, read from its package without importing it."""
    spec = importlib.util.find_spec("eth_account")
    if spec is None or not spec.submodule_search_locations:
        return {}
    folder = Path(list(spec.submodule_search_locations)[0]) / "hdaccount" / "wordlist"
    return {p.stem: p.read_text(encoding="utf-8").split() for p in sorted(folder.glob("*.txt"))}


def _master(seed: bytes) -> tuple[bytes, bytes]:
    digest = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    return digest[:32], digest[32:]


def _child(key: bytes, chain_code: bytes, index: int) -> tuple[bytes, bytes]:
    """BIP-32 CKDpriv; an out-of-range child (odds below 2**-127) moves on to the next index,
    as eth-account does."""
    while True:
        if index >= _HARDENED:
            data = b"\x00" + key + index.to_bytes(4, "big")
        else:
            data = CurveKey(key).public_key.format(compressed=True) + index.to_bytes(4, "big")
        digest = hmac.new(chain_code, data, hashlib.sha512).digest()
        tweak = int.from_bytes(digest[:32], "big")
        child = (tweak + int.from_bytes(key, "big")) % SECP256K1_N
        if tweak < SECP256K1_N and child != 0:
            return child.to_bytes(32, "big"), digest[32:]
        index += 1


def _derive_with_eth_account(mnemonic: str, count: int) -> tuple[DevAccount, ...]:
    from eth_account import Account  # slow to import: only for mnemonics decided above not to handle

    Account.enable_unaudited_hdwallet_features()
    out = []
    for i in range(count):
        acct = Account.from_mnemonic(mnemonic, account_path=_PATH.format(i))
        key = PrivateKey(acct.key)
        out.append(DevAccount(key.public_key.to_canonical_address(), key))
    return tuple(out)
