"""The Consensus precompile at 0x…1003: FISCO BCOS 3.x's ConsensusPrecompiled interface.

FISCO functions (same signatures, same `int32` result, 0 on success): `addSealer(string,uint256)`,
`addObserver(string)`, `remove(string)`, `setWeight(string,uint256)`. Wabei additions (views):
`getSealerList()`, `getObserverList()`, `admin()`.

A node id is the node's CometBFT validator public key (ed25519, 32 bytes) in hex, as FISCO's node
id is its public key in hex; `0x` and upper case are accepted and normalised away. A sealer is
a CometBFT validator with voting power = its weight; an observer is known but has no power. The
set recorded here is what the ABCI app turns into FinalizeBlock's validator updates (effective
at height + 2, as CometBFT defines).

Differences from FISCO, on purpose: a refused call reverts with a reason that names FISCO's code
(e.g. "... (FISCO -51101 CODE_LAST_SEALER)") instead of returning the negative code, so a
transaction cannot ignore it. As in FISCO 3.1+, `addSealer` takes only a node already in the set
(an observer, or a sealer whose weight it changes): an unknown node is refused with -51104, so a
node is first made an observer (known, syncing, no vote) and only then given voting power: a
validator that still block-syncs costs the network liveness until it catches up.
Permission: the genesis admin (app_state.admin) and the committee (0x…10001, executing a passed
proposal) may change the set (FISCO -50000 CODE_NO_AUTHORIZED otherwise).
"""
from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import to_checksum_address

from vm_hooks.addresses import COMMITTEE, CONSENSUS
from vm_hooks.consensus.store import KEY_BYTES, MAX_TOTAL_POWER, ConsensusStore
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert

# FISCO BCOS 3.x return codes (bcos-framework/protocol/CommonError.h, ConsensusPrecompiled).
CODE_NO_AUTHORIZED = -50000
CODE_INVALID_NODE_ID = -51100
CODE_LAST_SEALER = -51101
CODE_INVALID_WEIGHT = -51102
CODE_NODE_NOT_EXIST = -51103
CODE_ADD_SEALER_SHOULD_IN_OBSERVER = -51104
_CODE_NAMES = {CODE_NO_AUTHORIZED: "CODE_NO_AUTHORIZED", CODE_INVALID_NODE_ID: "CODE_INVALID_NODEID",
               CODE_LAST_SEALER: "CODE_LAST_SEALER", CODE_INVALID_WEIGHT: "CODE_INVALID_WEIGHT",
               CODE_NODE_NOT_EXIST: "CODE_NODE_NOT_EXIST",
               CODE_ADD_SEALER_SHOULD_IN_OBSERVER: "CODE_ADD_SEALER_SHOULD_IN_OBSERVER"}
SUCCESS = (0,)

NODE_CHANGED = event_signature_to_log_topic("ConsensusNodeChanged(bytes32,string,uint256)")


def _refuse(message: str, code: int) -> Exception:
    return revert(f"Consensus: {message} (FISCO {code} {_CODE_NAMES[code]})")


def node_key(node_id: str) -> bytes:
    """The 32-byte validator key a node id names; reverts with -51100 for anything else."""
    text = node_id.strip().lower().removeprefix("0x")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES or len(text) != 2 * KEY_BYTES:
        raise _refuse(f"node id {node_id!r} is not a validator's ed25519 public key in hex "
                      f"({2 * KEY_BYTES} hex digits)", CODE_INVALID_NODE_ID)
    return key


def _store_for_change(call: Call) -> ConsensusStore:
    """The store, once the caller is known to be the admin or the committee (0x…10001, executing
    a passed proposal: vm_hooks/committee/)."""
    store = ConsensusStore(call.storage)
    if call.sender == COMMITTEE:
        if call.computation.state.get_code(CONSENSUS) == b"":
            # A devnet's genesis has no Consensus account: there is no validator set to change,
            # and a write would land in an empty account that EIP-161 sweeps away.
            raise _refuse("this chain has no validator set (a devnet: its genesis has no Consensus "
                          "account)", CODE_NO_AUTHORIZED)
        return store
    admin = store.admin()
    if admin == b"\x00" * 20:
        raise _refuse("this chain has no admin (its genesis names none), so its validator set "
                      "can be changed only by a committee proposal (createSetConsensusWeightProposal "
                      "at 0x…10001)", CODE_NO_AUTHORIZED)
    if call.sender != admin:
        raise _refuse(f"only the genesis admin {to_checksum_address(admin)} or a committee proposal may "
                      f"change the validator set, not {to_checksum_address(call.sender)}", CODE_NO_AUTHORIZED)
    return store


def _check_weight(store: ConsensusStore, key: bytes, weight: int) -> None:
    if weight <= 0:
        raise _refuse("a sealer's weight must be greater than 0", CODE_INVALID_WEIGHT)
    others = sum(w for k, w in store.sealers().items() if k != key)
    if others + weight > MAX_TOTAL_POWER:
        raise _refuse(f"the sealers' total weight would pass CometBFT's maximum {MAX_TOTAL_POWER}",
                      CODE_INVALID_WEIGHT)


def _is_last_sealer(store: ConsensusStore, key: bytes) -> bool:
    return list(store.sealers()) == [key]


def _emit(call: Call, key: bytes, role: str, weight: int) -> None:
    call.emit([NODE_CHANGED, key], encode(["string", "uint256"], [role, weight]))


def add_sealer(call: Call, node_id: str, weight: int) -> tuple[Any, ...]:
    store = _store_for_change(call)
    key = node_key(node_id)
    _check_weight(store, key, weight)
    if not store.contains(key):
        raise _refuse(f"{key.hex()} is not an observer yet; call addObserver first, let it sync, then "
                      "addSealer", CODE_ADD_SEALER_SHOULD_IN_OBSERVER)
    store.put(key, weight)
    _emit(call, key, "sealer", weight)
    return SUCCESS


def add_observer(call: Call, node_id: str) -> tuple[Any, ...]:
    store = _store_for_change(call)
    key = node_key(node_id)
    if _is_last_sealer(store, key):
        raise _refuse(f"{key.hex()} is the last sealer; it cannot become an observer", CODE_LAST_SEALER)
    store.put(key, 0)
    _emit(call, key, "observer", 0)
    return SUCCESS


def remove(call: Call, node_id: str) -> tuple[Any, ...]:
    store = _store_for_change(call)
    key = node_key(node_id)
    if not store.contains(key):
        raise _refuse(f"{key.hex()} is neither a sealer nor an observer", CODE_NODE_NOT_EXIST)
    if _is_last_sealer(store, key):
        raise _refuse(f"{key.hex()} is the last sealer; removing it would stop the chain", CODE_LAST_SEALER)
    store.remove(key)
    _emit(call, key, "removed", 0)
    return SUCCESS


def set_weight(call: Call, node_id: str, weight: int) -> tuple[Any, ...]:
    store = _store_for_change(call)
    key = node_key(node_id)
    if weight == 0:
        raise _refuse("a sealer's weight must be greater than 0", CODE_INVALID_WEIGHT)
    if not store.contains(key):
        raise _refuse(f"{key.hex()} is neither a sealer nor an observer", CODE_NODE_NOT_EXIST)
    if store.weight(key) == 0:
        raise revert(f"Consensus: {key.hex()} is an observer; an observer has no weight (make it a "
                     "sealer with addSealer)")
    _check_weight(store, key, weight)
    store.put(key, weight)
    _emit(call, key, "sealer", weight)
    return SUCCESS


def sealer_list(call: Call) -> tuple[Any, ...]:
    sealers = ConsensusStore(call.storage).sealers()
    return ([key.hex() for key in sealers], list(sealers.values()))


def observer_list(call: Call) -> tuple[Any, ...]:
    return ([key.hex() for key, weight in ConsensusStore(call.storage).nodes() if weight == 0],)


def admin(call: Call) -> tuple[Any, ...]:
    return (ConsensusStore(call.storage).admin(),)


CONSENSUS_PRECOMPILE = AbiPrecompile("Consensus", CONSENSUS, [
    Method("addSealer(string,uint256)", ("int32",), add_sealer, mutates=True),
    Method("addObserver(string)", ("int32",), add_observer, mutates=True),
    Method("remove(string)", ("int32",), remove, mutates=True),
    Method("setWeight(string,uint256)", ("int32",), set_weight, mutates=True),
    Method("getSealerList()", ("string[]", "uint256[]"), sealer_list),
    Method("getObserverList()", ("string[]",), observer_list),
    Method("admin()", ("address",), admin),
])
