"""The Solidity interface contracts/governance/ICommitteeManager.sol, compiled with the pinned
solc, declares exactly the committee precompile's functions, outputs and events, and the client's
ABI is the same; plus the pure vote rule and the governance file's committee section."""
from __future__ import annotations

from typing import Any

import pytest
from eth_utils.abi import event_signature_to_log_topic, function_signature_to_4byte_selector

from deploy.abiargs import abi_type
from deploy.compile import load_config, run_standard_json
from governance.committee import COMMITTEE_ABI
from tests.conftest import ROOT
from vm_hooks.committee.genesis import CommitteeFileError, committee_words
from vm_hooks.committee.precompile import EVENTS, METHODS
from vm_hooks.committee.rules import CREATED, DENIED, PASSED, vote_result


def _shapes(abi: list[dict[str, Any]]) -> set[tuple[str, ...]]:
    out = set()
    for e in abi:
        types = ",".join(abi_type(p) for p in e["inputs"])
        if e["type"] == "function":
            out.add(("f", f"{e['name']}({types})", ",".join(abi_type(p) for p in e["outputs"]), e["stateMutability"]))
        elif e["type"] == "event":
            out.add(("e", f"{e['name']}({types})", ",".join(str(p["indexed"]) for p in e["inputs"])))
    return out


def test_the_solidity_interface_matches_the_precompile_and_the_client_abi() -> None:
    # An interface has no creation code, so no artefact: ask the pinned solc for its ABI directly.
    name = "contracts/governance/ICommitteeManager.sol"
    config = load_config(ROOT)
    output = run_standard_json({"language": "Solidity", "sources": {name: {"content": (ROOT / name).read_text()}},
                                "settings": config.settings}, ROOT, config.version, ())
    abi = output["contracts"][name]["ICommitteeManager"]["abi"]
    assert _shapes(abi) == _shapes(COMMITTEE_ABI)
    selectors = {function_signature_to_4byte_selector(m.signature) for m in METHODS}
    assert len(selectors) == len(METHODS) == sum(e["type"] == "function" for e in abi)
    assert {event_signature_to_log_topic(f"{n}({','.join(t for _, t, _ in f)})") for n, f in EVENTS} == {
        event_signature_to_log_topic(s[1]) for s in _shapes(abi) if s[0] == "e"}


A, B, C = b"a" * 20, b"b" * 20, b"c" * 20


@pytest.mark.parametrize(("agree", "against", "weights", "rates", "status"), [
    ([A], [], {A: 1}, (0, 0), PASSED),               # a sole member passes at creation
    ([A], [], {A: 1, B: 1, C: 1}, (50, 50), CREATED),  # 33 % voted < 50 %
    ([A], [B], {A: 1, B: 1, C: 1, b"d" * 20: 1}, (50, 50), PASSED),  # 50 % voted, a tie at 50 % wins
    ([A], [B], {A: 1, B: 1, C: 1}, (50, 60), DENIED),  # 1 of 2 agreed: 50 % < 60 %
    ([A], [B, C], {A: 5, B: 1, C: 1}, (100, 70), PASSED),  # 5 of 7 ≥ 70 %
    ([B], [A], {A: 0, B: 1}, (0, 100), PASSED),        # a removed member's vote weighs nothing
    ([], [], {A: 1}, (0, 50), PASSED),                 # FISCO: no weight voted and 0 % participation
])
def test_the_vote_rule_is_fiscos(agree: list[bytes], against: list[bytes], weights: dict[bytes, int],
                                 rates: tuple[int, int], status: int) -> None:
    assert vote_result(agree, against, {k: v for k, v in weights.items() if v}, *rates) == status


@pytest.mark.parametrize(("section", "message"), [
    ([], '"committee" must be an object'),
    ({"members": {}}, "non-empty object"),
    ({"members": {"0x12": 1}}, "is not an address"),
    ({"members": {"0x" + "11" * 20: True}}, "must be an integer"),
    ({"members": {"0x" + "11" * 20: 2**32}}, "a weight is from 1 to"),
    ({"members": {"0x" + "11" * 20: 1}, "winRate": 101}, "winRate must be a percentage"),
    ({"members": {"0x" + "11" * 20: 1}, "quorum": 1}, "unknown keys ['quorum']"),
])
def test_a_malformed_committee_section_is_refused_with_the_key_at_fault(section: Any, message: str) -> None:
    with pytest.raises(CommitteeFileError) as caught:
        committee_words({"committee": section})
    assert message in str(caught.value)


def test_a_file_without_a_committee_section_seeds_nothing() -> None:
    assert committee_words({"systemConfig": {}}) == ()
