"""The interception rules a message frame must pass, read straight from the state.

Called by the governance computation (vm_hooks/governance/computation.py) for every frame —
top-level and internal CALL, STATICCALL, CREATE and CREATE2 — once the Permission account's
`flags` word has FLAG_INTERCEPT, and each kind of rule is read only when the interception
account's `kinds` word says such rules exist. What is checked, in this order:

| rule | frames | address checked |
| --- | --- | --- |
| blocked sender | every frame | `msg.sender` (at the top level: the signer) |
| blocked target | every CALL/STATICCALL/DELEGATECALL/CALLCODE | the called account and the code's account |
| blocked method | CALL/STATICCALL with ≥ 4 bytes of data | (called contract, first 4 bytes) |
| ether threshold | frames that move value (CALL, CREATE, CREATE2) | `msg.sender`'s KYC level |
| token threshold | CALL (not static) of `transfer(address,uint256)` / `transferFrom(address,address,uint256)` | the holder: `msg.sender` for transfer, `from` for transferFrom |

A value or amount strictly above the threshold needs a KYC level (vm_hooks/regulation/store.py
IdentityStore.level: bound by an issuer that is still authorised, not expired at the block's
timestamp) at least the rule's minimum. Prague's system calls (origin 0xff…fe) are never
intercepted: a rule must not be able to stop block processing.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth.abc import MessageAPI, StateAPI
from eth.constants import SYSTEM_ADDRESS
from eth_abi.abi import decode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from vm_hooks.addresses import IDENTITY, REGULATION
from vm_hooks.consensus.store import StateWords
from vm_hooks.regulation.store import (
    ETHER, KIND_ADDRESS, KIND_METHOD, KIND_TOKEN, KIND_VALUE, IdentityStore, RegulationStore,
)

BLOCKED_SENDER, BLOCKED_TARGET, BLOCKED_METHOD, VALUE_KYC, TOKEN_KYC = 1, 2, 3, 4, 5
RULE_NAMES = {BLOCKED_SENDER: "blocked sender", BLOCKED_TARGET: "blocked target",
              BLOCKED_METHOD: "blocked method", VALUE_KYC: "value above threshold without KYC",
              TOKEN_KYC: "token amount above threshold without KYC"}
TRANSFER = function_signature_to_4byte_selector("transfer(address,uint256)")
TRANSFER_FROM = function_signature_to_4byte_selector("transferFrom(address,address,uint256)")
NO_SELECTOR = b"\x00" * 4


@dataclass(frozen=True)
class Interception:
    """A refused frame: which rule, who, what, how much, and the reason the frame reverts with."""

    rule: int
    sender: bytes
    target: bytes        # the called account; the zero address for a CREATE
    selector: bytes      # the first 4 bytes of call data, or zeros
    amount: int          # the ether value or token amount the rule weighed (0 for blocks)
    reason: str


def _c(address: bytes) -> str:
    return to_checksum_address(address)


def interception(state: StateAPI, message: MessageAPI, origin: bytes) -> Interception | None:
    """The interception of this frame under the rules in `state`, or None if it may run."""
    if origin == SYSTEM_ADDRESS:
        return None
    rules = RegulationStore(StateWords(state, REGULATION))
    kinds = rules.kinds()
    if not kinds:
        return None
    data = message.data_as_bytes
    is_call = not message.is_create
    target = bytes(message.storage_address) if is_call else b"\x00" * 20
    selector = data[:4] if is_call and len(data) >= 4 else NO_SELECTOR
    sender = bytes(message.sender)

    def hit(rule: int, amount: int, why: str) -> Interception:
        return Interception(rule, sender, target, selector, amount,
                            f"Regulation: {why} (intercepted by rule '{RULE_NAMES[rule]}'; "
                            f"reported by {_c(REGULATION)})")

    if kinds & KIND_ADDRESS:
        if rules.is_blocked(sender):
            return hit(BLOCKED_SENDER, 0, f"{_c(sender)} is blocked by the regulator")
        if is_call:
            code = bytes(message.code_address)
            for account in (target,) if code == target else (target, code):  # a fixed order: the
                # reason is in the receipt, so every node must pick the same one
                if rules.is_blocked(account):
                    return hit(BLOCKED_TARGET, 0, f"calls to {_c(account)} are blocked by the regulator")
    direct = is_call and message.storage_address == message.code_address
    if kinds & KIND_METHOD and direct and selector != NO_SELECTOR and rules.is_method_blocked(target, selector):
        return hit(BLOCKED_METHOD, 0, f"0x{selector.hex()} on {_c(target)} is blocked by the regulator")
    if kinds & KIND_VALUE and message.should_transfer_value and message.value:
        found = _kyc_shortfall(state, rules, ETHER, sender, message.value)
        if found is not None:
            return hit(VALUE_KYC, message.value, f"{_c(sender)} sends {message.value} wei, above the "
                                                 f"threshold of {found[0]} wei, {found[1]}")
    if kinds & KIND_TOKEN and direct and not message.is_static and selector in (TRANSFER, TRANSFER_FROM):
        decoded = _token_transfer(selector, data, sender)
        if decoded is not None:
            holder, amount = decoded
            found = _kyc_shortfall(state, rules, target, holder, amount)
            if found is not None:
                return hit(TOKEN_KYC, amount, f"{_c(holder)} transfers {amount} of token {_c(target)}, above "
                                              f"the threshold of {found[0]}, {found[1]}")
    return None


def _kyc_shortfall(state: StateAPI, rules: RegulationStore, token: bytes, holder: bytes,
                   amount: int) -> tuple[int, str] | None:
    """(threshold, why) when `amount` of `token` from `holder` needs more KYC than it has."""
    threshold = rules.limit(token)
    if threshold is None or amount <= threshold:
        return None
    min_level = rules.min_level(token)
    level = IdentityStore(StateWords(state, IDENTITY)).level(holder, int(state.timestamp))
    if level >= min_level:
        return None
    have = "no valid KYC identity" if level == 0 else f"KYC level {level}"
    return threshold, (f"which needs KYC level {min_level} in the identity registry {_c(IDENTITY)}; "
                       f"it has {have}")


def _token_transfer(selector: bytes, data: bytes, sender: bytes) -> tuple[bytes, int] | None:
    """(holder, amount) of an ERC-20 transfer/transferFrom call; None if the data is malformed
    (the token itself will refuse it)."""
    try:
        if selector == TRANSFER:
            _, amount = decode(["address", "uint256"], data[4:])
            return sender, int(amount)
        holder, _, amount = decode(["address", "address", "uint256"], data[4:])
        return bytes.fromhex(holder[2:]), int(amount)
    except Exception:  # malformed calldata: not a transfer this rule can weigh
        return None
