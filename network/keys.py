"""CometBFT's ed25519 keys in CometBFT's own JSON files, and the node id derived from a key.

The formats are those of CometBFT v0.38 (`p2p/key.go`, `privval/file.go`,
`crypto/ed25519/ed25519.go`): a private key is the 64 bytes seed || public key, base64 in a
`{"type": "tendermint/PrivKeyEd25519", "value": ...}` object; an address is the first 20 bytes
of SHA-256 of the 32-byte public key; a node id is that address in lower-case hex, a validator
address the same bytes in upper-case hex (CometBFT's HexBytes). int64 fields are JSON strings.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat, NoEncryption

PRIV_KEY_TYPE = "tendermint/PrivKeyEd25519"
PUB_KEY_TYPE = "tendermint/PubKeyEd25519"
ADDRESS_SIZE = 20


@dataclass(frozen=True)
class CometKey:
    """One ed25519 key pair as CometBFT holds it: `seed` is the 32-byte private seed."""

    seed: bytes

    @classmethod
    def generate(cls) -> CometKey:
        return cls(Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_bytes(self) -> bytes:
        """The 32-byte public key."""
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def address(self) -> bytes:
        return address_of(self.public_bytes)

    @property
    def node_id(self) -> str:
        return node_id_of(self.public_bytes)


def address_of(public_key: bytes) -> bytes:
    """CometBFT's address of an ed25519 public key: SHA-256 truncated to 20 bytes."""
    if len(public_key) != 32:
        raise ValueError(f"an ed25519 public key is 32 bytes, not {len(public_key)}")
    return hashlib.sha256(public_key).digest()[:ADDRESS_SIZE]


def node_id_of(public_key: bytes) -> str:
    """The P2P node id CometBFT derives from a node key's public key (`p2p.PubKeyToID`)."""
    return address_of(public_key).hex()


def public_bytes_of(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def pub_key_json(public_key: bytes) -> dict[str, str]:
    """CometBFT's amino-JSON form of an ed25519 public key (genesis, priv_validator_key.json)."""
    return {"type": PUB_KEY_TYPE, "value": base64.b64encode(public_key).decode()}


def _priv_key_json(key: CometKey) -> dict[str, str]:
    return {"type": PRIV_KEY_TYPE, "value": base64.b64encode(key.seed + key.public_bytes).decode()}


def node_key_json(key: CometKey) -> str:
    """The text of `config/node_key.json`."""
    return json.dumps({"priv_key": _priv_key_json(key)}, indent=2) + "\n"


def priv_validator_key_json(key: CometKey) -> str:
    """The text of `config/priv_validator_key.json`."""
    body = {"address": key.address.hex().upper(), "pub_key": pub_key_json(key.public_bytes),
            "priv_key": _priv_key_json(key)}
    return json.dumps(body, indent=2) + "\n"


def empty_priv_validator_state_json() -> str:
    """The text of a fresh `data/priv_validator_state.json`: nothing signed yet."""
    return json.dumps({"height": "0", "round": 0, "step": 0}, indent=2) + "\n"


def load_key_file(text: str) -> CometKey:
    """The key in a `node_key.json` or `priv_validator_key.json`; raises ValueError."""
    body = json.loads(text)
    priv = body.get("priv_key") or {}
    if priv.get("type") != PRIV_KEY_TYPE:
        raise ValueError(f"not an ed25519 key file (type {priv.get('type')!r})")
    raw = base64.b64decode(priv["value"])
    if len(raw) != 64:
        raise ValueError(f"an ed25519 private key is 64 bytes, not {len(raw)}")
    key = CometKey(raw[:32])
    if key.public_bytes != raw[32:]:
        raise ValueError("the key file's public half does not match its seed")
    return key
