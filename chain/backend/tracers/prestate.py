"""geth's prestateTracer (eth/tracers/native/prestate.go, as of the pinned geth 1.17.10): every
account and slot the transaction touched, as they were when it first touched them; with
`diffMode`, what changed."""
from __future__ import annotations

from dataclasses import dataclass, field

from eth.abc import ComputationAPI, MessageAPI, StateAPI
from eth.constants import EMPTY_SHA3
from eth_typing import Address

from chain.backend.tracers.base import JUMPS, Tracer, TxOutcome, config_flag, endpoints
from chain.exceptions import InvalidParams
from chain.types import TraceOptions
from vm_hooks.tracing import stack_values

SLOAD, SSTORE = 0x54, 0x55
# Opcodes whose top stack entry is an address geth looks up: BALANCE, EXTCODESIZE, EXTCODECOPY,
# EXTCODEHASH, SELFDESTRUCT.
_ADDRESS_OPS = frozenset({0x31, 0x3B, 0x3C, 0x3F, 0xFF})
# geth's StateDB.GetCodeHash of an account that does not exist.
_NO_ACCOUNT = bytes(32)


@dataclass
class PreAccount:
    """An account at its first touch; `code_hash` is None for an account without code."""

    balance: int
    nonce: int
    code: bytes
    code_hash: bytes | None = None
    storage: dict[int, int] = field(default_factory=dict)
    empty: bool = False  # did not exist when first touched


@dataclass
class PostAccount:
    """What changed (diffMode): a field is None when it did not."""

    balance: int | None = None
    nonce: int | None = None
    code: bytes | None = None
    code_hash: bytes | None = None
    storage: dict[int, int] = field(default_factory=dict)


@dataclass
class Prestate:
    accounts: dict[bytes, PreAccount]


@dataclass
class PrestateDiff:
    pre: dict[bytes, PreAccount]
    post: dict[bytes, PostAccount]


class PrestateTracer(Tracer):
    """Records accounts at their first touch: the sender, recipient and coinbase before the
    transaction buys gas, call and create targets when their frame opens, and the accounts and
    slots BALANCE, EXTCODE*, SELFDESTRUCT, SLOAD and SSTORE name, before those run."""

    opcodes = _ADDRESS_OPS | {SLOAD, SSTORE} | JUMPS

    def __init__(self, options: TraceOptions) -> None:
        config = options.tracer_config
        self._diff = config_flag(config, "diffMode")
        self._disable_code = config_flag(config, "disableCode")
        self._disable_storage = config_flag(config, "disableStorage")
        self._include_empty = config_flag(config, "includeEmpty")
        if self._diff and self._include_empty:
            raise InvalidParams("cannot use diffMode with includeEmpty")
        self._state: StateAPI | None = None
        self.pre: dict[bytes, PreAccount] = {}
        self._created: set[bytes] = set()

    def _look_up(self, state: StateAPI, address: bytes) -> PreAccount:
        found = self.pre.get(address)
        if found is None:
            a = Address(address)
            found = PreAccount(int(state.get_balance(a)), int(state.get_nonce(a)), bytes(state.get_code(a)))
            if found.code:
                found.code_hash = bytes(state.get_code_hash(a))
            found.empty = not (found.balance or found.nonce or found.code)
            self.pre[address] = found
        return found

    def start(self, state: StateAPI, sender: bytes, to: bytes) -> None:
        self._state = state
        for address in (sender, to, bytes(state.coinbase)):
            self._look_up(state, address)

    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        if message.is_create:
            self._created.add(bytes(message.storage_address))
        if parent is not None and self._state is not None:
            self._look_up(self._state, endpoints(message, call_type, parent)[1])

    def exit(self, computation: ComputationAPI) -> None:
        pass

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        self.tick()
        if opcode in JUMPS:
            return
        stack = stack_values(computation)
        if not stack:
            return  # the step fails on its own (stack underflow); nothing was touched
        if opcode in _ADDRESS_OPS:
            self._look_up(computation.state, (stack[-1] % 2**160).to_bytes(20, "big"))
            return
        address = bytes(computation.msg.storage_address)
        account = self._look_up(computation.state, address)
        if stack[-1] not in account.storage:
            account.storage[stack[-1]] = int(computation.state.get_storage(Address(address), stack[-1]))

    def result(self, outcome: TxOutcome) -> Prestate | PrestateDiff:
        post = self._diff_state() if self._diff else {}
        if not self._include_empty:  # accounts that did not exist before the transaction
            self.pre = {address: a for address, a in self.pre.items() if not a.empty}
        for account in self.pre.values():
            if self._disable_code:
                account.code = b""
            if self._disable_storage:
                account.storage = {}
        for changed in post.values():
            if self._disable_code:
                changed.code = None
            if self._disable_storage:
                changed.storage = {}
        return PrestateDiff(self.pre, post) if self._diff else Prestate(self.pre)

    def _diff_state(self) -> dict[bytes, PostAccount]:
        """geth's processDiffState: each touched account's changes, with `pre` cut down to the
        accounts and slots that changed (and no zero slots)."""
        state = self._state
        if state is None:
            return {}
        post: dict[bytes, PostAccount] = {}
        for address, before in list(self.pre.items()):
            a = Address(address)
            after = PostAccount()
            balance, nonce, code = int(state.get_balance(a)), int(state.get_nonce(a)), bytes(state.get_code(a))
            after.balance = balance if balance != before.balance else None
            after.nonce = nonce if nonce != before.nonce else None
            after.code = code if code != before.code else None
            # As geth compares code hashes: an account gone after the transaction (never
            # created, or an empty one the transaction touched) has the zero hash, which differs
            # from the empty-code hash geth assumes before, so geth lists it with that hash.
            code_hash = bytes(state.get_code_hash(a)) if state.account_exists(a) else _NO_ACCOUNT
            after.code_hash = code_hash if code_hash != (before.code_hash or EMPTY_SHA3) else None
            changed = any(v is not None for v in (after.balance, after.nonce, after.code, after.code_hash))
            for slot, value in list(before.storage.items()):
                new = int(state.get_storage(a, slot))
                if value == new or value == 0:
                    del before.storage[slot]
                if value != new:
                    changed = True
                    if new:
                        after.storage[slot] = new
            if changed:
                post[address] = after
            else:
                del self.pre[address]
        return post
