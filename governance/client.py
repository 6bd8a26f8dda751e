"""Typed clients for the governance precompiles over web3.

    perms = PermissionClient(w3, sender=admin)
    perms.set_deploy_type(AuthType.WHITE_LIST)
    perms.open_deploy(alice)
    perms.set_method_type(token, "transfer(address,uint256)", AuthType.BLACK_LIST)
    AccountClient(w3, sender=admin).freeze(mallory)
    SystemConfigClient(w3, sender=admin).set("tx_count_limit", 500)

Arguments are checked here first (GovernanceInputError, nothing sent); what the chain refuses
comes back as GovernanceRejected with the precompile's reason (who may do it, and why not).
A selector is given as 0x-hex (4 bytes) or as a function signature such as "set(uint256)".
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.types import TxReceipt

from governance.abi import ACCOUNT_MANAGER_ABI, PERMISSION_ABI, SYSTEM_CONFIG_ABI
from governance.errors import GovernanceInputError, GovernanceRejected
from transact.send import Sender, TransactionReverted, revert_message, send_and_wait
from vm_hooks.addresses import ACCOUNT_MANAGER, PERMISSION, SYSTEM_CONFIG
from vm_hooks.governance.sysconfig import KEYS, check_entry

SYSTEM_CONFIG_ADDRESS = to_checksum_address(SYSTEM_CONFIG)
PERMISSION_ADDRESS = to_checksum_address(PERMISSION)
ACCOUNT_MANAGER_ADDRESS = to_checksum_address(ACCOUNT_MANAGER)
CONFIG_KEYS = tuple(sorted(KEYS))


class AuthType(enum.IntEnum):
    """A deploy or method auth type, as FISCO numbers them."""

    OPEN = 0
    WHITE_LIST = 1
    BLACK_LIST = 2


class Status(enum.IntEnum):
    """A contract's or account's status, as FISCO numbers them."""

    NORMAL = 0
    FROZEN = 1
    ABOLISHED = 2


@dataclass(frozen=True)
class ConfigValue:
    """A system config value (None: never set) and the block from which it applies."""

    value: int | None
    enable_number: int


@dataclass(frozen=True)
class MethodRule:
    """One selector's ACL: its type and the accounts it admits and refuses by name."""

    auth_type: AuthType
    admitted: tuple[ChecksumAddress, ...]
    refused: tuple[ChecksumAddress, ...]


def address_arg(value: str, what: str = "address") -> ChecksumAddress:
    """`value` as a checksummed address; raises GovernanceInputError."""
    if not isinstance(value, str) or not is_address(value):
        raise GovernanceInputError(f"{what} {value!r} is not an address")
    return to_checksum_address(value)


_HEX_SELECTOR = re.compile(r"0x[0-9a-fA-F]{8}")
_SIGNATURE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\([A-Za-z0-9_,\[\]() ]*\)")


def selector_arg(value: str) -> bytes:
    """A 4-byte selector from 0x-hex or a function signature; raises GovernanceInputError."""
    if _HEX_SELECTOR.fullmatch(value):
        return bytes.fromhex(value[2:])
    if _SIGNATURE.fullmatch(value):
        return function_signature_to_4byte_selector(value.replace(" ", ""))
    raise GovernanceInputError(f"{value!r} is neither a 4-byte selector (0x12345678) nor a function "
                               "signature such as 'set(uint256)'")


def _enum_arg(kind: type[enum.IntEnum], value: int | str) -> int:
    try:
        return int(kind[value.upper()] if isinstance(value, str) else kind(value))
    except (KeyError, ValueError):
        names = ", ".join(f"{m.value} ({m.name.lower()})" for m in kind)
        raise GovernanceInputError(f"{value!r} is not a {kind.__name__}: use one of {names}") from None


class _Precompile:
    """One precompile over one web3 connection; writes are sent from `sender`."""

    def __init__(self, w3: Web3, address: str, abi: list[dict[str, Any]], sender: Sender | None) -> None:
        self.w3 = w3
        self._sender = sender
        self._contract = w3.eth.contract(address=to_checksum_address(address), abi=abi)

    def _call(self, function: str, *args: Any) -> Any:
        try:
            return self._contract.functions[function](*args).call()
        except ContractLogicError as exc:
            raise GovernanceRejected(revert_message(exc)) from None

    def _send(self, function: str, *args: Any) -> TxReceipt:
        try:
            return send_and_wait(self.w3, self._contract.functions[function](*args), self._sender)
        except ContractLogicError as exc:  # the gas estimate ran the call and it reverted
            raise GovernanceRejected(revert_message(exc)) from None
        except TransactionReverted as exc:
            why = f": {exc.reason}" if exc.reason else ""
            raise GovernanceRejected(f"{function} transaction {exc.tx_hash} failed{why}") from None


class SystemConfigClient(_Precompile):
    """SystemConfig at 0x…1000: chain limits (governors may set them)."""

    def __init__(self, w3: Web3, sender: Sender | None = None) -> None:
        super().__init__(w3, SYSTEM_CONFIG_ADDRESS, SYSTEM_CONFIG_ABI, sender)

    def get(self, key: str) -> ConfigValue:
        if key not in KEYS:
            raise GovernanceInputError(f"unknown key {key!r}; the keys are {', '.join(CONFIG_KEYS)}")
        value, enable = self._call("getValueByKey", key)
        return ConfigValue(int(value) if value else None, int(enable))

    def set(self, key: str, value: int | str) -> TxReceipt:
        """Set `key`; it applies from the next block."""
        try:
            check_entry(key, str(value))
        except ValueError as exc:
            raise GovernanceInputError(str(exc)) from None
        return self._send("setValueByKey", key, str(value))


class PermissionClient(_Precompile):
    """Permission at 0x…1005: deploy and method ACLs, contract admins and status."""

    def __init__(self, w3: Web3, sender: Sender | None = None) -> None:
        super().__init__(w3, PERMISSION_ADDRESS, PERMISSION_ABI, sender)

    # -- deploy --
    def deploy_type(self) -> AuthType:
        return AuthType(self._call("deployType"))

    def set_deploy_type(self, auth_type: AuthType | int | str) -> TxReceipt:
        return self._send("setDeployAuthType", _enum_arg(AuthType, auth_type))

    def open_deploy(self, account: str) -> TxReceipt:
        return self._send("openDeployAuth", address_arg(account))

    def close_deploy(self, account: str) -> TxReceipt:
        return self._send("closeDeployAuth", address_arg(account))

    def may_deploy(self, account: str) -> bool:
        return bool(self._call("hasDeployAuth", address_arg(account)))

    # -- methods --
    def set_method_type(self, contract: str, selector: str, auth_type: AuthType | int | str) -> TxReceipt:
        return self._send("setMethodAuthType", address_arg(contract, "contract"), selector_arg(selector),
                          _enum_arg(AuthType, auth_type))

    def open_method(self, contract: str, selector: str, account: str) -> TxReceipt:
        return self._send("openMethodAuth", address_arg(contract, "contract"), selector_arg(selector),
                          address_arg(account))

    def close_method(self, contract: str, selector: str, account: str) -> TxReceipt:
        return self._send("closeMethodAuth", address_arg(contract, "contract"), selector_arg(selector),
                          address_arg(account))

    def may_call(self, contract: str, selector: str, account: str) -> bool:
        return bool(self._call("checkMethodAuth", address_arg(contract, "contract"), selector_arg(selector),
                               address_arg(account)))

    def method_rule(self, contract: str, selector: str) -> MethodRule:
        mode, admitted, refused = self._call("getMethodAuth", address_arg(contract, "contract"),
                                             selector_arg(selector))
        return MethodRule(AuthType(mode), tuple(to_checksum_address(a) for a in admitted),
                          tuple(to_checksum_address(a) for a in refused))

    # -- contracts --
    def admin(self, contract: str) -> ChecksumAddress:
        return to_checksum_address(self._call("getAdmin", address_arg(contract, "contract")))

    def reset_admin(self, contract: str, admin: str) -> TxReceipt:
        return self._send("resetAdmin", address_arg(contract, "contract"), address_arg(admin, "admin"))

    def contract_status(self, contract: str) -> Status:
        return Status(self._call("contractStatus", address_arg(contract, "contract")))

    def set_contract_status(self, contract: str, status: Status | int | str) -> TxReceipt:
        return self._send("setContractStatus", address_arg(contract, "contract"), _enum_arg(Status, status))

    def governors(self) -> tuple[ChecksumAddress, ...]:
        return tuple(to_checksum_address(a) for a in self._call("governors"))


class AccountClient(_Precompile):
    """AccountManager at 0x…10003: freeze, unfreeze and abolish accounts (governors only)."""

    def __init__(self, w3: Web3, sender: Sender | None = None) -> None:
        super().__init__(w3, ACCOUNT_MANAGER_ADDRESS, ACCOUNT_MANAGER_ABI, sender)

    def status(self, account: str) -> Status:
        return Status(self._call("getAccountStatus", address_arg(account)))

    def set_status(self, account: str, status: Status | int | str) -> TxReceipt:
        return self._send("setAccountStatus", address_arg(account), _enum_arg(Status, status))

    def freeze(self, account: str) -> TxReceipt:
        return self.set_status(account, Status.FROZEN)

    def unfreeze(self, account: str) -> TxReceipt:
        return self.set_status(account, Status.NORMAL)
