"""eth_simulateV1: the request's rules (limits, block order, defaults, gap filling) and its run.

As geth's internal/ethapi (api.go SimulateV1, simulate.go sanitizeChain): at most 256 entries in
blockStateCalls and at most 256 blocks past the base; numbers and timestamps strictly
increasing, a missing number is the previous + 1 and a missing time the previous + 12 s; a gap
in numbers is filled with empty blocks 12 s apart. All calls of the request share one gas pool
of the node's call gas cap, and the whole request one deadline (5 s). Execution is
chain/backend/simulate.py's, on throwaway state: nothing is stored and the head never moves.
"""
from __future__ import annotations

import time
from dataclasses import replace

from eth.abc import BlockHeaderAPI

from chain.api.reads import ChainReads
from chain.backend.simulate import SimOptions, SimulatedBlock, Simulator
from chain.exceptions import InvalidParams, SimulationError
from chain.types import SimBlock, SimBlockOverrides, SimulateRequest

MAX_BLOCKS = 256           # geth's maxSimulateBlocks: entries, and blocks past the base
TIME_INCREMENT = 12        # geth's timestampIncrement, seconds
TIMEOUT_S = 5.0            # geth's default RPCEVMTimeout, for the whole request
BLOCK_NUMBER_INVALID, BLOCK_TIMESTAMP_INVALID, CLIENT_LIMIT = -38020, -38021, -38026


def sanitize_chain(base_number: int, base_time: int, blocks: tuple[SimBlock, ...]) -> list[SimBlock]:
    """`blocks` with every number and time set, and empty blocks filling gaps in the numbers.

    Raises SimulationError -38020 / -38021 for a number or time that does not increase, and
    -38026 for a block more than MAX_BLOCKS after the base.
    """
    out: list[SimBlock] = []
    prev_number, prev_time = base_number, base_time
    for block in blocks:
        o = block.overrides
        number = prev_number + 1 if o.number is None else o.number
        if number <= prev_number:
            raise SimulationError(BLOCK_NUMBER_INVALID,
                                  f"block numbers must be in order: {number} <= {prev_number}")
        if number - base_number > MAX_BLOCKS:
            raise SimulationError(CLIENT_LIMIT, "too many blocks")
        for filler in range(prev_number + 1, number):
            prev_time += TIME_INCREMENT
            out.append(SimBlock(SimBlockOverrides(number=filler, time=prev_time)))
        stamp = prev_time + TIME_INCREMENT if o.time is None else o.time
        if stamp <= prev_time:
            raise SimulationError(BLOCK_TIMESTAMP_INVALID,
                                  f"block timestamps must be in order: {stamp} <= {prev_time}")
        out.append(replace(block, overrides=replace(o, number=number, time=stamp)))
        prev_number, prev_time = number, stamp
    return out


def simulate(reads: ChainReads, request: SimulateRequest, base: BlockHeaderAPI) -> list[SimulatedBlock]:
    """Run `request` on top of `base`; raises SimulationError / InvalidParams before or during
    a call that geth would refuse (the whole request fails, as geth's does)."""
    if not request.blocks:
        raise InvalidParams("empty input")
    if len(request.blocks) > MAX_BLOCKS:
        raise SimulationError(CLIENT_LIMIT, "too many blocks")
    blocks = sanitize_chain(int(base.block_number), int(base.timestamp), request.blocks)
    backend = reads.backend
    base_root = backend.head_state_root if base.hash == backend.head.hash else bytes(base.state_root)
    options = SimOptions(validation=request.validation, trace_transfers=request.trace_transfers,
                         gas_pool=reads.config.effective_call_gas_cap,
                         deadline=time.monotonic() + TIMEOUT_S)
    sim = Simulator(backend.spec, backend.db, backend.chain_id, base, base_root, options)
    return [sim.run_block(block) for block in blocks]
