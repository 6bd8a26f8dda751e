"""Governance state, laid out in the storage of the three governance precompiles' accounts.

Everything is ordinary account storage (keccak slots from `slot_of`), so state roots, proofs,
snapshots, dumps and restarts carry it. The same layout is written by the precompiles (metered,
in a transaction), seeded into a genesis (`DictWords`, from a `--governance` file) and read by
the node outside the VM (`StateWords`: admission, the block builder, the importer).

Permission account (0x…1005):

    slot_of("admin")                                  the chain admin (0: none seeded)
    slot_of("flags")                                  which kinds of rule exist (FLAG_* bits)
    slot_of("deployType")                             0 open, 1 white list, 2 black list
    slot_of("deployAcl", mode, account)               0 unset, OPENED or CLOSED (per mode)
    slot_of("contractAdmin", contract)                who may set the contract's method ACLs
    slot_of("contractStatus", contract)               0 normal, 1 frozen, 2 abolished
    slot_of("methodType", contract, selector)         0 no rule, 1 white list, 2 black list
    slot_of("methodAcl", contract, selector, mode, account)  0 unset, OPENED or CLOSED
    slot_of("methodCount", contract, selector, mode)  accounts ever named (for getMethodAuth)
    slot_of("methodAt", contract, selector, mode, i)  the i-th of them

Account manager (0x…10003): slot_of("status", account) → 0 normal, 1 frozen, 2 abolished.
System config (0x…1000): slot_of("value", key) → value + 1 (0: never set) and
slot_of("enable", key) → the block number from which the value applies.

`flags` is what keeps an open chain free: the VM reads that one word per message frame and
checks nothing else while it is 0 (vm_hooks/governance/rules.py).
"""
from __future__ import annotations

from eth_typing import Address

from vm_hooks.consensus.store import Words
from vm_hooks.storage import slot_of

FLAG_DEPLOY = 1      # a deploy type other than open is set
FLAG_METHOD = 2      # some contract has a method auth type (set once, never cleared)
FLAG_CONTRACT = 4    # some contract was frozen or abolished (set once, never cleared)
FLAG_ACCOUNT = 8     # some account was frozen or abolished (set once, never cleared)
FLAG_ADMINS = 16     # record each new contract's admin (a governed chain)
FLAG_CONFIG = 32     # some system config key was set (admission and the builder read them)

OPEN, WHITE_LIST, BLACK_LIST = 0, 1, 2          # deploy type / method auth type
OPENED, CLOSED = 1, 2                            # an account's entry in a list
NORMAL, FROZEN, ABOLISHED = 0, 1, 2              # contract and account status

ZERO = Address(b"\x00" * 20)


def _address(word: int) -> Address:
    return Address(word.to_bytes(20, "big"))


def _word(address: bytes) -> int:
    return int.from_bytes(address, "big")


def allowed(mode: int, entry: int) -> bool:
    """Whether an account with list `entry` passes a check in `mode` (FISCO's rule: a white list
    admits only those opened; a black list admits all but those closed; open admits all)."""
    if mode == WHITE_LIST:
        return entry == OPENED
    if mode == BLACK_LIST:
        return entry != CLOSED
    return True


class PermissionStore:
    """Typed reads and writes of the Permission precompile's account."""

    def __init__(self, words: Words) -> None:
        self._w = words

    # -- chain-wide --
    def admin(self) -> Address:
        return _address(self._w.get_word(slot_of("admin")))

    def set_admin(self, admin: bytes) -> None:
        self._w.set_word(slot_of("admin"), _word(admin))

    def flags(self) -> int:
        return self._w.get_word(slot_of("flags"))

    def set_flags(self, flags: int) -> None:
        if flags != self.flags():
            self._w.set_word(slot_of("flags"), flags)

    def add_flag(self, flag: int) -> None:
        self.set_flags(self.flags() | flag)

    # -- deploy --
    def deploy_type(self) -> int:
        return self._w.get_word(slot_of("deployType"))

    def set_deploy_type(self, mode: int) -> None:
        self._w.set_word(slot_of("deployType"), mode)
        flags = self.flags()
        # Once deploys are governed, new contracts get admins from then on (FISCO's auth check).
        self.set_flags(flags | FLAG_DEPLOY | FLAG_ADMINS if mode != OPEN else flags & ~FLAG_DEPLOY)

    def deploy_entry(self, mode: int, account: bytes) -> int:
        return self._w.get_word(slot_of("deployAcl", mode, account))

    def set_deploy_entry(self, mode: int, account: bytes, entry: int) -> None:
        self._w.set_word(slot_of("deployAcl", mode, account), entry)

    def may_deploy(self, account: bytes) -> bool:
        mode = self.deploy_type()
        return mode == OPEN or allowed(mode, self.deploy_entry(mode, account))

    # -- contracts --
    def contract_admin(self, contract: bytes) -> Address:
        return _address(self._w.get_word(slot_of("contractAdmin", contract)))

    def set_contract_admin(self, contract: bytes, admin: bytes) -> None:
        self._w.set_word(slot_of("contractAdmin", contract), _word(admin))

    def contract_status(self, contract: bytes) -> int:
        return self._w.get_word(slot_of("contractStatus", contract))

    def set_contract_status(self, contract: bytes, status: int) -> None:
        self._w.set_word(slot_of("contractStatus", contract), status)
        if status != NORMAL:
            self.add_flag(FLAG_CONTRACT)

    # -- methods --
    def method_type(self, contract: bytes, selector: bytes) -> int:
        return self._w.get_word(slot_of("methodType", contract, selector))

    def set_method_type(self, contract: bytes, selector: bytes, mode: int) -> None:
        self._w.set_word(slot_of("methodType", contract, selector), mode)
        self.add_flag(FLAG_METHOD)

    def method_entry(self, contract: bytes, selector: bytes, mode: int, account: bytes) -> int:
        return self._w.get_word(slot_of("methodAcl", contract, selector, mode, account))

    def set_method_entry(self, contract: bytes, selector: bytes, mode: int, account: bytes,
                         entry: int) -> None:
        if self.method_entry(contract, selector, mode, account) == 0:
            count = self._w.get_word(slot_of("methodCount", contract, selector, mode))
            self._w.set_word(slot_of("methodAt", contract, selector, mode, count), _word(account))
            self._w.set_word(slot_of("methodCount", contract, selector, mode), count + 1)
        self._w.set_word(slot_of("methodAcl", contract, selector, mode, account), entry)

    def method_accounts(self, contract: bytes, selector: bytes, mode: int) -> list[tuple[Address, int]]:
        """Every account ever named for (contract, selector) in `mode`, with its entry."""
        count = self._w.get_word(slot_of("methodCount", contract, selector, mode))
        accounts = [_address(self._w.get_word(slot_of("methodAt", contract, selector, mode, i)))
                    for i in range(count)]
        return [(a, self.method_entry(contract, selector, mode, a)) for a in accounts]

    def may_call(self, contract: bytes, selector: bytes, account: bytes) -> bool:
        """FISCO's checkMethodAuth: no type for the selector passes everyone."""
        mode = self.method_type(contract, selector)
        return mode == OPEN or allowed(mode, self.method_entry(contract, selector, mode, account))


class AccountStore:
    """Account statuses, in the account manager's account."""

    def __init__(self, words: Words) -> None:
        self._w = words

    def status(self, account: bytes) -> int:
        return self._w.get_word(slot_of("status", account))

    def set_status(self, account: bytes, status: int) -> None:
        self._w.set_word(slot_of("status", account), status)


class ConfigStore:
    """System config values (integers: every supported key is a number) and when they apply."""

    def __init__(self, words: Words) -> None:
        self._w = words

    def get(self, key: str) -> tuple[int | None, int]:
        """(value or None if never set, the block number from which it applies)."""
        raw = self._w.get_word(slot_of("value", key))
        return (raw - 1 if raw else None), self._w.get_word(slot_of("enable", key))

    def set(self, key: str, value: int, enable_number: int) -> None:
        self._w.set_word(slot_of("value", key), value + 1)
        self._w.set_word(slot_of("enable", key), enable_number)
