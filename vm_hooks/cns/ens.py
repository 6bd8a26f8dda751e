"""ENS views of the CNS: a registry, a resolver for `*.wabei`, and a universal resolver.

* Registry (at web3.py's default ENS address): `owner`, `resolver`, `ttl`, `recordExists` for the
  `wabei` node and every CNS node. It is read-only: names under `.wabei` are created by CNS
  `insert`, and no other top-level domain exists on a Wabei chain.
* Resolver (0x…1104): `addr`, multichain `addr`, `text` (`version`), `ABI` (JSON), ENSIP-10
  `resolve`, `supportsInterface`. ethers finds it through the registry.
* Universal resolver (at web3.py's default address): `resolve`, `findResolver`,
  `requireResolver`, the calls web3.py 8 (and ethers, when configured) use.

All three read the CNS precompile's storage, so a name resolves in the very transaction that
registered it.
"""
from __future__ import annotations

from typing import Any

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_typing import Address
from eth_utils.abi import function_signature_to_4byte_selector

from vm_hooks.addresses import CNS, CNS_RESOLVER, ENS_REGISTRY, UNIVERSAL_RESOLVER
from vm_hooks.cns.store import CnsStore
from vm_hooks.errors import NameRuleError
from vm_hooks.names import TLD, dns_decode, namehash
from vm_hooks.precompile import AbiPrecompile, Call, Method, PrecompileRevert, custom_error, revert
from vm_hooks.storage import MeteredStorage

ZERO_ADDRESS = Address(b"\x00" * 20)
ETH_COIN_TYPE = 60
ABI_JSON_CONTENT_TYPE = 1
TLD_NODE = namehash(TLD)

INTERFACE_IDS = {
    bytes.fromhex("01ffc9a7"),  # ERC-165
    bytes.fromhex("3b3b57de"),  # addr(bytes32)
    bytes.fromhex("f1cb7e06"),  # addr(bytes32,uint256)
    bytes.fromhex("59d1d43c"),  # text(bytes32,string)
    bytes.fromhex("2203ab56"),  # ABI(bytes32,uint256)
    bytes.fromhex("9061b923"),  # ENSIP-10 resolve(bytes,bytes)
}


def _cns(call: Call) -> CnsStore:
    """The CNS records, read from the CNS account whichever precompile is asking."""
    return CnsStore(MeteredStorage(call.computation, CNS))


# --- registry ---

def _owner(store: CnsStore, node: bytes) -> Address:
    if node == TLD_NODE:
        return CNS
    target = store.node_target(node)
    return store.owner(target.label) if target else ZERO_ADDRESS


def _resolver(store: CnsStore, node: bytes) -> Address:
    return CNS_RESOLVER if node == TLD_NODE or store.node_target(node) else ZERO_ADDRESS


def registry_owner(call: Call, node: bytes) -> tuple[Any, ...]:
    return (_owner(_cns(call), node),)


def registry_resolver(call: Call, node: bytes) -> tuple[Any, ...]:
    return (_resolver(_cns(call), node),)


def registry_ttl(call: Call, node: bytes) -> tuple[Any, ...]:
    return (0,)


def registry_record_exists(call: Call, node: bytes) -> tuple[Any, ...]:
    return (_owner(_cns(call), node) != ZERO_ADDRESS,)


def registry_read_only(call: Call, *args: Any) -> tuple[Any, ...]:
    raise revert(
        "ENS: the registry on a Wabei chain is read-only; publish names under .wabei with the CNS "
        "at 0x0000000000000000000000000000000000001004"
    )


ENS_REGISTRY_PRECOMPILE = AbiPrecompile("ENSRegistry", ENS_REGISTRY, [
    Method("owner(bytes32)", ("address",), registry_owner),
    Method("resolver(bytes32)", ("address",), registry_resolver),
    Method("ttl(bytes32)", ("uint64",), registry_ttl),
    Method("recordExists(bytes32)", ("bool",), registry_record_exists),
    Method("setOwner(bytes32,address)", (), registry_read_only, mutates=True),
    Method("setResolver(bytes32,address)", (), registry_read_only, mutates=True),
    Method("setTTL(bytes32,uint64)", (), registry_read_only, mutates=True),
    Method("setSubnodeOwner(bytes32,bytes32,address)", ("bytes32",), registry_read_only, mutates=True),
    Method("setRecord(bytes32,address,address,uint64)", (), registry_read_only, mutates=True),
])


# --- resolver ---

def resolver_addr(call: Call, node: bytes) -> tuple[Any, ...]:
    entry = _cns(call).resolve_node(node)
    return (entry.address if entry else ZERO_ADDRESS,)


def resolver_addr_coin(call: Call, node: bytes, coin_type: int) -> tuple[Any, ...]:
    entry = _cns(call).resolve_node(node)
    return (bytes(entry.address) if entry and coin_type == ETH_COIN_TYPE else b"",)


def resolver_text(call: Call, node: bytes, key: str) -> tuple[Any, ...]:
    entry = _cns(call).resolve_node(node)
    if entry is None:
        return ("",)
    return ({"version": entry.version, "name": entry.name}.get(key, ""),)


def resolver_abi(call: Call, node: bytes, content_types: int) -> tuple[Any, ...]:
    entry = _cns(call).resolve_node(node)
    if entry is None or not content_types & ABI_JSON_CONTENT_TYPE:
        return (0, b"")
    return (ABI_JSON_CONTENT_TYPE, entry.abi.encode("utf-8"))


def resolver_supports_interface(call: Call, interface_id: bytes) -> tuple[Any, ...]:
    return (interface_id in INTERFACE_IDS,)


_RESOLVER_VIEWS = [
    Method("addr(bytes32)", ("address",), resolver_addr),
    Method("addr(bytes32,uint256)", ("bytes",), resolver_addr_coin),
    Method("text(bytes32,string)", ("string",), resolver_text),
    Method("ABI(bytes32,uint256)", ("uint256", "bytes"), resolver_abi),
]
_VIEW_BY_SELECTOR = {function_signature_to_4byte_selector(m.signature): m for m in _RESOLVER_VIEWS}


def answer(call: Call, data: bytes) -> bytes:
    """The resolver's ABI-encoded answer to the record query `data` (for ENSIP-10 `resolve`)."""
    method = _VIEW_BY_SELECTOR.get(data[:4])
    if method is None:
        raise revert(f"CNS resolver: unsupported record query 0x{data[:4].hex()}")
    try:
        args = decode(method.input_types, data[4:])
    except (DecodingError, OverflowError, ValueError) as exc:
        raise revert(f"CNS resolver: malformed query for {method.signature}: {exc}") from None
    return encode(list(method.outputs), list(method.handler(call, *args)))


def resolver_resolve(call: Call, name: bytes, data: bytes) -> tuple[Any, ...]:
    return (answer(call, data),)


CNS_RESOLVER_PRECOMPILE = AbiPrecompile("CNSResolver", CNS_RESOLVER, [
    *_RESOLVER_VIEWS,
    Method("resolve(bytes,bytes)", ("bytes",), resolver_resolve),
    Method("supportsInterface(bytes4)", ("bool",), resolver_supports_interface),
])


# --- universal resolver ---

def _find(call: Call, dns_name: bytes) -> tuple[Address, bytes, int]:
    """(resolver, node of the full name, byte offset of the label that had the resolver)."""
    try:
        labels = dns_decode(dns_name)
    except NameRuleError:
        raise custom_error("ResolverNotFound(bytes)", ["bytes"], [dns_name]) from None
    full_node = namehash(".".join(labels)) if labels else b"\x00" * 32
    store = _cns(call)
    offset = 0
    for i in range(len(labels)):
        node = namehash(".".join(labels[i:]))
        resolver = _resolver(store, node)
        if resolver != ZERO_ADDRESS:
            return resolver, full_node, offset
        offset += 1 + len(labels[i].encode("utf-8"))
    raise custom_error("ResolverNotFound(bytes)", ["bytes"], [dns_name])


def universal_find_resolver(call: Call, dns_name: bytes) -> tuple[Any, ...]:
    try:
        return _find(call, dns_name)
    except PrecompileRevert:  # findResolver answers "none" with zeros; it does not revert
        return (ZERO_ADDRESS, b"\x00" * 32, 0)


def universal_require_resolver(call: Call, dns_name: bytes) -> tuple[Any, ...]:
    resolver, node, offset = _find(call, dns_name)
    return ((dns_name, offset, node, resolver, True),)


def universal_resolve(call: Call, dns_name: bytes, data: bytes) -> tuple[Any, ...]:
    resolver, _, _ = _find(call, dns_name)
    return (answer(call, data), resolver)


def universal_reverse(call: Call, lookup: bytes, coin_type: int) -> tuple[Any, ...]:
    raise custom_error("ResolverNotFound(bytes)", ["bytes"], [lookup])


UNIVERSAL_RESOLVER_PRECOMPILE = AbiPrecompile("UniversalResolver", UNIVERSAL_RESOLVER, [
    Method("resolve(bytes,bytes)", ("bytes", "address"), universal_resolve),
    Method("findResolver(bytes)", ("address", "bytes32", "uint256"), universal_find_resolver),
    Method("requireResolver(bytes)", ("(bytes,uint256,bytes32,address,bool)",),
           universal_require_resolver),
    Method("reverse(bytes,uint256)", ("string", "address", "address"), universal_reverse),
])
