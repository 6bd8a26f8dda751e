"""Parity's `stateDiff` as a pure function of the prestate tracer's diffMode result.

Each changed account gets `balance`, `nonce`, `code` and `storage`, each a Delta: `=` (no
change), `+` (the account came into existence: it had no balance, nonce or code before), `-`
(it stopped existing) or `*` with `from` and `to`. Existence decides `+`/`-` as OpenEthereum
and Erigon decide it (Erigon's StateDiff.CompareStates); Reth marks `+` only for an account a
CREATE made. A slot of an account that existed is `*` even from or to zero, as Erigon and Reth
report it (OpenEthereum used `+`/`-` there).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from chain.backend.tracers.prestate import PostAccount, PreAccount, PrestateDiff

T = TypeVar("T", int, bytes)


@dataclass(frozen=True)
class Delta(Generic[T]):
    """`kind` is "=", "+", "-" or "*"; `before`/`after` are set where the kind has them."""

    kind: str
    before: T | None = None
    after: T | None = None


@dataclass
class AccountDiff:
    balance: Delta[int]
    nonce: Delta[int]
    code: Delta[bytes]
    storage: dict[int, Delta[int]] = field(default_factory=dict)


def _delta(before: T, after: T) -> Delta[T]:
    return Delta("=") if before == after else Delta("*", before, after)


def state_diff(diff: PrestateDiff) -> dict[bytes, AccountDiff]:
    """Every account whose state the run changed, keyed by address, in address order."""
    out: dict[bytes, AccountDiff] = {}
    for address in sorted(set(diff.pre) | set(diff.post)):
        account = _account_diff(diff.pre.get(address), diff.post.get(address, PostAccount()))
        if account is not None:
            out[address] = account
    return out


def _account_diff(pre: PreAccount | None, post: PostAccount) -> AccountDiff | None:
    b0, n0, c0 = (pre.balance, pre.nonce, pre.code) if pre is not None else (0, 0, b"")
    slots0 = pre.storage if pre is not None else {}
    b1 = b0 if post.balance is None else post.balance
    n1 = n0 if post.nonce is None else post.nonce
    c1 = c0 if post.code is None else post.code
    existed = bool(b0 or n0 or c0)
    exists = bool(b1 or n1 or c1)
    if not existed and not exists:
        return None  # touched, never there (EIP-161 removes it again)
    if not existed:
        return AccountDiff(Delta("+", after=b1), Delta("+", after=n1), Delta("+", after=c1),
                           {s: Delta("+", after=v) for s, v in sorted(post.storage.items()) if v})
    if not exists:
        return AccountDiff(Delta("-", before=b0), Delta("-", before=n0), Delta("-", before=c0),
                           {s: Delta("-", before=v) for s, v in sorted(slots0.items()) if v})
    storage = {s: Delta("*", slots0.get(s, 0), post.storage.get(s, 0))
               for s in sorted(set(slots0) | set(post.storage))
               if slots0.get(s, 0) != post.storage.get(s, 0)}
    account = AccountDiff(_delta(b0, b1), _delta(n0, n1), _delta(c0, c1), storage)
    unchanged = all(d.kind == "=" for d in (account.balance, account.nonce, account.code))
    return None if unchanged and not storage else account
