"""sanitize_chain: geth's defaults, ordering rules and gap filling for eth_simulateV1, as tables."""
from __future__ import annotations

import pytest

from chain.api.simulate import sanitize_chain
from chain.exceptions import SimulationError
from chain.types import SimBlock, SimBlockOverrides


def blocks(*overrides: tuple[int | None, int | None]) -> tuple[SimBlock, ...]:
    return tuple(SimBlock(SimBlockOverrides(number=n, time=t)) for n, t in overrides)


@pytest.mark.parametrize("given, expected", [
    ([(None, None)], [(11, 62)]),
    ([(None, None), (None, None)], [(11, 62), (12, 74)]),
    # geth's TestSimulateSanitizeBlockOrder: 10 → 13 at time 80 fills 11 and 12, 12 s apart
    ([(13, 80)], [(11, 62), (12, 74), (13, 80)]),
    ([(None, 51)], [(11, 51)]),
    ([(12, None), (None, 100)], [(11, 62), (12, 74), (13, 100)]),
])
def test_defaults_and_gap_filling(given: list[tuple[int | None, int | None]],
                                  expected: list[tuple[int, int]]) -> None:
    out = sanitize_chain(10, 50, blocks(*given))
    assert [(b.overrides.number, b.overrides.time) for b in out] == expected


@pytest.mark.parametrize("given, code", [
    ([(10, None)], -38020),
    ([(12, None), (12, None)], -38020),
    ([(None, 50)], -38021),
    ([(13, 60)], -38021),          # the fillers take 62 and 74 first
    ([(10 + 257, None)], -38026),
])
def test_refusals(given: list[tuple[int | None, int | None]], code: int) -> None:
    with pytest.raises(SimulationError) as info:
        sanitize_chain(10, 50, blocks(*given))
    assert info.value.code == code


def test_256_blocks_past_the_base_is_the_limit() -> None:
    assert len(sanitize_chain(10, 50, blocks((266, None)))) == 256
