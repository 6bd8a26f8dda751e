"""chain/backend/ordered_trie.py against py-evm's own `make_trie_root_and_nodes`: the same root and
the same stored nodes, byte for byte, for blocks of 0 to 300 items of any size (short items make
nodes under 32 bytes, which are inlined rather than stored; 128 and more items need two-byte keys)."""
from __future__ import annotations

from dataclasses import dataclass

from eth.db.trie import make_trie_root_and_nodes
from hypothesis import given, settings
from hypothesis import strategies as st

from chain.backend.ordered_trie import ordered_trie_root_and_nodes


@dataclass(frozen=True)
class Item:
    """What py-evm's function takes: anything with `encode()` (a transaction, a receipt)."""

    payload: bytes

    def encode(self) -> bytes:
        return self.payload


def _py_evm(payloads: list[bytes]) -> tuple[bytes, dict[bytes, bytes]]:
    root, nodes = make_trie_root_and_nodes([Item(p) for p in payloads])  # type: ignore[list-item]
    return bytes(root), {bytes(k): bytes(v) for k, v in nodes.items()}


payloads = st.binary(min_size=1, max_size=120)


@settings(max_examples=300)
@given(st.integers(0, 300).flatmap(lambda n: st.lists(payloads, min_size=n, max_size=n)))
def test_same_root_and_nodes_as_py_evm(items: list[bytes]) -> None:
    assert ordered_trie_root_and_nodes(items) == _py_evm(items)


@settings(max_examples=100)
@given(st.integers(1, 300).flatmap(lambda n: st.lists(st.binary(min_size=1, max_size=4), min_size=n, max_size=n)))
def test_tiny_items_inline_like_py_evm(items: list[bytes]) -> None:
    assert ordered_trie_root_and_nodes(items) == _py_evm(items)


def test_fixed_sizes_around_the_key_width_changes() -> None:
    # 1, 2, 16, 17 (a second nibble), 127/128/129 (rlp(127) is one byte, rlp(128) two), 256.
    for n in (0, 1, 2, 15, 16, 17, 127, 128, 129, 255, 256, 300):
        for size in (1, 3, 40):
            items = [bytes([i % 251 + 1]) * size for i in range(n)]
            assert ordered_trie_root_and_nodes(items) == _py_evm(items), (n, size)


def test_empty_block_has_the_blank_root() -> None:
    root, nodes = ordered_trie_root_and_nodes([])
    assert root.hex() == "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    assert nodes == {}
