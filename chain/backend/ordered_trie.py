"""The root and nodes of a block's transaction, receipt or withdrawal trie, built in one pass.

py-evm builds these (`eth.db.trie.make_trie_root_and_nodes`) by inserting item after item into
a pruning HexaryTrie and keeping the nodes that survive: every insert walks and rewrites the
path from the root. But the keys of such a trie are known before the first insert, rlp(0) ..
rlp(n-1), so the trie's shape follows from the sorted keys alone and each node can be made once,
bottom up. The result is the same root and the same {hash: encoded node} dict, byte for byte
(tests/unit/test_ordered_trie.py checks it against py-evm's own function): nodes whose encoding
is shorter than 32 bytes are inlined in their parent and not stored, and the root is always
hashed and stored, however short.
"""
from __future__ import annotations

from typing import Sequence

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth_hash.auto import keccak
from eth_typing import Hash32

# A node as py-trie keeps it before encoding: a list of byte strings and nested (inlined) nodes.
RawNode = list["bytes | RawNode"]


def ordered_trie_root_and_nodes(encoded_items: Sequence[bytes]) -> tuple[Hash32, dict[Hash32, bytes]]:
    """The root hash of the trie mapping rlp(i) to `encoded_items[i]`, and its stored nodes
    (keccak of the encoding -> encoding), as py-evm's `make_trie_root_and_nodes` returns them.

    An empty sequence gives the blank root and no nodes.
    """
    if not encoded_items:
        return BLANK_ROOT_HASH, {}
    keyed = sorted((rlp.encode(index), item) for index, item in enumerate(encoded_items))
    items = [(_nibbles(key), value) for key, value in keyed]
    nodes: dict[Hash32, bytes] = {}
    encoded_root = rlp.encode(_node(items, 0, nodes))
    root = Hash32(keccak(encoded_root))
    nodes[root] = encoded_root
    return root, nodes


def _node(items: list[tuple[bytes, bytes]], depth: int, nodes: dict[Hash32, bytes]) -> RawNode:
    """The node holding `items` (sorted nibble keys, all equal up to `depth`), below `depth`."""
    if len(items) == 1:
        key, value = items[0]
        return [_hex_prefix(key[depth:], leaf=True), value]
    shared = _shared_prefix(items[0][0], items[-1][0], depth)
    if shared > depth:
        return [_hex_prefix(items[0][0][depth:shared], leaf=False), _ref(_node(items, shared, nodes), nodes)]
    branch: RawNode = [b""] * 17
    start = 0
    if len(items[0][0]) == depth:  # a key ending here: its value sits in the branch itself
        branch[16] = items[0][1]
        start = 1
    while start < len(items):
        nibble = items[start][0][depth]
        end = start + 1
        while end < len(items) and items[end][0][depth] == nibble:
            end += 1
        branch[nibble] = _ref(_node(items[start:end], depth + 1, nodes), nodes)
        start = end
    return branch


def _ref(node: RawNode, nodes: dict[Hash32, bytes]) -> bytes | RawNode:
    """How a parent refers to `node`: inline when its encoding is under 32 bytes, else by hash
    (and then it is stored)."""
    encoded = rlp.encode(node)
    if len(encoded) < 32:
        return node
    digest = Hash32(keccak(encoded))
    nodes[digest] = encoded
    return digest


def _shared_prefix(first: bytes, last: bytes, depth: int) -> int:
    """Where the sorted keys `first` .. `last` (hence all between) stop agreeing, from `depth`."""
    end = min(len(first), len(last))
    while depth < end and first[depth] == last[depth]:
        depth += 1
    return depth


def _nibbles(key: bytes) -> bytes:
    return bytes(n for byte in key for n in (byte >> 4, byte & 0x0F))


def _hex_prefix(nibbles: bytes, leaf: bool) -> bytes:
    """The compact (hex-prefix) encoding of a leaf's or extension's key remainder."""
    flag = 2 if leaf else 0
    if len(nibbles) % 2:
        nibbles = bytes((flag + 1,)) + nibbles
    else:
        nibbles = bytes((flag, 0)) + nibbles
    return bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, len(nibbles), 2))
