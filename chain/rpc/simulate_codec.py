"""eth_simulateV1's wire shapes: the payload decoded into chain/types values, and the simulated
blocks encoded as geth returns them (a block object plus `calls`).

Decoding checks shapes only (hex, sizes, exclusive fields) and raises InvalidParams naming the
field; the rules that need the chain (ordering, limits, funds) live in chain/api/simulate.py.
Unknown keys are ignored, as geth's JSON decoding ignores them.
"""
from __future__ import annotations

from typing import Any

from chain.backend.simulate import SimulatedBlock
from chain.exceptions import InvalidParams
from chain.rpc import codec, formatters as fmt
from chain.types import SimBlock, SimBlockOverrides, SimCallResult, SimulateRequest, Withdrawal

U64 = 2**64 - 1


def simulate_request(value: Any, name: str = "payload") -> SimulateRequest:
    """The first parameter: {blockStateCalls, traceTransfers?, validation?, returnFullTransactions?}."""
    o = codec.obj(value, name)
    raw_blocks = o.get("blockStateCalls")
    if not isinstance(raw_blocks, list):
        raise InvalidParams(f"invalid {name}.blockStateCalls: expected a list of blocks")

    def flag(key: str) -> bool:
        v = o.get(key)
        return False if v is None else codec.boolean(v, f"{name}.{key}")

    return SimulateRequest(
        blocks=tuple(sim_block(b, f"{name}.blockStateCalls[{i}]") for i, b in enumerate(raw_blocks)),
        trace_transfers=flag("traceTransfers"),
        validation=flag("validation"),
        full_transactions=flag("returnFullTransactions"),
    )


def sim_block(value: Any, name: str) -> SimBlock:
    o = codec.obj(value, name)
    calls = o.get("calls")
    if calls is not None and not isinstance(calls, list):
        raise InvalidParams(f"invalid {name}.calls: expected a list of calls")
    state_raw = o.get("stateOverrides")
    return SimBlock(
        overrides=block_overrides(o.get("blockOverrides"), f"{name}.blockOverrides"),
        state=codec.state_overrides(state_raw, f"{name}.stateOverrides"),
        moves=precompile_moves(state_raw, f"{name}.stateOverrides"),
        calls=tuple(codec.call_request(c, f"{name}.calls[{j}]") for j, c in enumerate(calls or [])),
    )


def block_overrides(value: Any, name: str) -> SimBlockOverrides:
    if value is None:
        return SimBlockOverrides()
    o = codec.obj(value, name)
    if o.get("blobBaseFee") is not None:
        # py-evm derives BLOBBASEFEE from the header's excess blob gas; no blob transaction can
        # be simulated here, and ignoring the field would answer a question nobody asked.
        raise InvalidParams(f"invalid {name}.blobBaseFee: overriding the blob base fee is not supported")

    def opt(key: str, decode: Any, *args: Any) -> Any:
        v = o.get(key)
        return None if v is None else decode(v, f"{name}.{key}", *args)

    withdrawals = o.get("withdrawals")
    return SimBlockOverrides(
        number=opt("number", codec.quantity, U64),
        time=opt("time", codec.quantity, U64),
        gas_limit=opt("gasLimit", codec.quantity, U64),
        fee_recipient=opt("feeRecipient", codec.address),
        prev_randao=opt("prevRandao", codec.fixed, 32),
        base_fee=opt("baseFeePerGas", codec.quantity),
        beacon_root=opt("beaconRoot", codec.fixed, 32),
        withdrawals=None if withdrawals is None else _withdrawals(withdrawals, f"{name}.withdrawals"),
    )


def _withdrawals(value: Any, name: str) -> tuple[Withdrawal, ...]:
    if not isinstance(value, list):
        raise InvalidParams(f"invalid {name}: expected a list")
    out = []
    for i, entry in enumerate(value):
        e, where = codec.obj(entry, f"{name}[{i}]"), f"{name}[{i}]"
        out.append(Withdrawal(
            index=codec.quantity(e.get("index"), f"{where}.index", U64),
            validator_index=codec.quantity(e.get("validatorIndex"), f"{where}.validatorIndex", U64),
            address=codec.address(e.get("address"), f"{where}.address"),
            amount=codec.quantity(e.get("amount"), f"{where}.amount", U64),
        ))
    return tuple(out)


def precompile_moves(value: Any, name: str) -> dict[bytes, bytes]:
    """{precompile address: destination} from the accounts that name movePrecompileToAddress."""
    if value is None:
        return {}
    out = {}
    for key, account in codec.obj(value, name).items():
        dest = codec.obj(account, f"{name}[{key}]").get("movePrecompileToAddress")
        if dest is not None:
            out[codec.address(key, f"{name} key")] = codec.address(
                dest, f"{name}[{key}].movePrecompileToAddress")
    return out


# -- encoding ----------------------------------------------------------------------------------
def simulated_block_json(sim: SimulatedBlock, full: bool) -> dict[str, Any]:
    """geth's RPCMarshalBlock of the simulated block, with `calls` added."""
    out = fmt.block_json(sim.block, full)
    out["withdrawals"] = [
        {"index": hex(w.index), "validatorIndex": hex(w.validator_index),
         "address": "0x" + w.address.hex(), "amount": hex(w.amount)}
        for w in sim.withdrawals
    ]
    out["calls"] = [call_result_json(c) for c in sim.calls]
    return out


def call_result_json(c: SimCallResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "returnData": "0x" + c.return_data.hex(),
        "logs": [fmt.log_json(e) for e in c.logs],
        "gasUsed": hex(c.gas_used),
        "maxUsedGas": hex(c.max_used_gas),
        "status": "0x1" if c.success else "0x0",
    }
    if c.error is not None:
        code, message, data = c.error
        err: dict[str, Any] = {"message": message, "code": code}
        if data is not None:
            err["data"] = "0x" + data.hex()
        out["error"] = err
    return out
