"""A typed client for the regulator's interception precompile (0x…1010) and its reports.

    reg = RegulationClient(w3, sender=regulator)
    reg.block("0x…")                                   # refused as sender or target from now on
    reg.block_method(token, "transfer(address,uint256)")
    reg.set_threshold(10**18, min_level=2)             # ether above 1 ETH needs KYC level 2
    reg.set_threshold(1000 * 10**18, 1, token=erc20)   # transfer/transferFrom amounts of a token
    page = reg.interceptions(start=0, limit=50)        # wabei_getInterceptions

Governors appoint regulators (`set_regulator`, or a committee proposal: CommitteeClient
.set_regulator). Every interception is an `Intercepted` log from 0x…1010 in the transaction's
receipt, even when the transaction failed: subscribe with `REPORT_FILTER` over
`eth_subscribe("logs")` and decode each log with `decode_log`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.types import TxReceipt

from governance.client import _Precompile, address_arg, selector_arg
from governance.errors import GovernanceError, GovernanceInputError
from governance.precompile_abi import precompile_abi
from vm_hooks.addresses import REGULATION
from vm_hooks.regulation.precompile import EVENTS, METHODS
from vm_hooks.regulation.report import INTERCEPTED, decode_report
from vm_hooks.regulation.rules import RULE_NAMES
from vm_hooks.regulation.store import MAX_LEVEL

REGULATION_ADDRESS = to_checksum_address(REGULATION)
REGULATION_ABI = precompile_abi(METHODS, EVENTS)
ETHER = to_checksum_address("0x" + "00" * 20)
# The log filter that selects interception reports: for eth_subscribe("logs"), eth_getLogs, filters.
REPORT_FILTER: dict[str, Any] = {"address": REGULATION_ADDRESS, "topics": ["0x" + INTERCEPTED.hex()]}


@dataclass(frozen=True)
class Threshold:
    """Value above `threshold` (wei, or token units) needs KYC level `min_level`."""

    token: ChecksumAddress  # ETHER for native value
    threshold: int
    min_level: int


@dataclass(frozen=True)
class InterceptionReport:
    """One interception: what was stopped, why, and where it is on the chain."""

    rule: int
    rule_name: str
    origin: ChecksumAddress
    sender: ChecksumAddress
    target: ChecksumAddress
    selector: str
    amount: int
    reason: str
    block_number: int
    transaction_hash: str
    position: int | None = None  # its place in wabei_getInterceptions (None from a raw log)


@dataclass(frozen=True)
class InterceptionPage:
    total: int
    items: tuple[InterceptionReport, ...]
    next: int | None


def decode_log(log: Any) -> InterceptionReport:
    """An `Intercepted` log (from a receipt, eth_getLogs or a subscription) as a report."""
    topics = tuple(bytes(HexBytes(t)) for t in log["topics"])
    if len(topics) != 4 or topics[0] != INTERCEPTED:
        raise GovernanceInputError("not an Intercepted log of the regulation precompile")
    r = decode_report(topics, bytes(HexBytes(log["data"])))
    return InterceptionReport(r.rule, RULE_NAMES.get(r.rule, str(r.rule)), to_checksum_address(r.origin),
                              to_checksum_address(r.sender), to_checksum_address(r.target), "0x" + r.selector.hex(),
                              r.amount, r.reason, _int(log["blockNumber"]), HexBytes(log["transactionHash"]).to_0x_hex())


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _level(value: int) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_LEVEL:
        raise GovernanceInputError(f"a KYC level is 1..{MAX_LEVEL}, not {value!r}")
    return value


class RegulationClient(_Precompile):
    """The interception precompile 0x…1010 over one web3 connection."""

    def __init__(self, w3: Web3, sender: Any = None) -> None:
        super().__init__(w3, REGULATION_ADDRESS, REGULATION_ABI, sender)

    # -- regulators (governors) --
    def set_regulator(self, account: str, enabled: bool = True) -> TxReceipt:
        return self._send("setRegulator", address_arg(account), enabled)

    def regulators(self) -> tuple[ChecksumAddress, ...]:
        return tuple(to_checksum_address(a) for a in self._call("regulators"))

    def is_regulator(self, account: str) -> bool:
        return bool(self._call("isRegulator", address_arg(account)))

    # -- rules (regulators) --
    def block(self, account: str) -> TxReceipt:
        return self._send("setAddressBlocked", address_arg(account), True)

    def unblock(self, account: str) -> TxReceipt:
        return self._send("setAddressBlocked", address_arg(account), False)

    def is_blocked(self, account: str) -> bool:
        return bool(self._call("isAddressBlocked", address_arg(account)))

    def blocked(self) -> tuple[ChecksumAddress, ...]:
        return tuple(to_checksum_address(a) for a in self._call("blockedAddresses"))

    def block_method(self, contract: str, selector: str) -> TxReceipt:
        return self._send("setMethodBlocked", address_arg(contract, "contract"), selector_arg(selector), True)

    def unblock_method(self, contract: str, selector: str) -> TxReceipt:
        return self._send("setMethodBlocked", address_arg(contract, "contract"), selector_arg(selector), False)

    def is_method_blocked(self, contract: str, selector: str) -> bool:
        return bool(self._call("isMethodBlocked", address_arg(contract, "contract"), selector_arg(selector)))

    def blocked_methods(self) -> tuple[tuple[ChecksumAddress, str], ...]:
        contracts, selectors = self._call("blockedMethods")
        return tuple((to_checksum_address(c), "0x" + bytes(s).hex()) for c, s in zip(contracts, selectors))

    def set_threshold(self, threshold: int, min_level: int, token: str | None = None) -> TxReceipt:
        """Value (wei; token units with `token`) above `threshold` needs KYC level `min_level`."""
        if not isinstance(threshold, int) or not 0 <= threshold < 2**256 - 1:
            raise GovernanceInputError(f"a threshold is a whole number 0..2**256-2, not {threshold!r}")
        return self._send("setValueThreshold", self._token(token), threshold, _level(min_level))

    def remove_threshold(self, token: str | None = None) -> TxReceipt:
        return self._send("setValueThreshold", self._token(token), 0, 0)

    def threshold(self, token: str | None = None) -> Threshold | None:
        asset = self._token(token)
        value, level = self._call("getValueThreshold", asset)
        return None if level == 0 else Threshold(asset, int(value), int(level))

    def thresholds(self) -> tuple[Threshold, ...]:
        tokens, values, levels = self._call("valueThresholds")
        return tuple(Threshold(to_checksum_address(t), int(v), int(lv)) for t, v, lv in zip(tokens, values, levels))

    @staticmethod
    def _token(token: str | None) -> ChecksumAddress:
        return ETHER if token is None else address_arg(token, "token")

    # -- reports --
    def interceptions(self, start: int = 0, limit: int = 100) -> InterceptionPage:
        """A page of wabei_getInterceptions, oldest first."""
        if start < 0 or not 0 <= limit <= 1000:
            raise GovernanceInputError("start must be ≥ 0 and limit 0..1000")
        response = self.w3.provider.make_request("wabei_getInterceptions", [hex(start), hex(limit)])  # type: ignore[arg-type]
        if "error" in response:
            raise GovernanceError(f"wabei_getInterceptions: {response['error'].get('message')}")
        result = response["result"]
        items = tuple(_from_rpc(i) for i in result["interceptions"])
        return InterceptionPage(int(result["total"], 16), items,
                                None if result["next"] is None else int(result["next"], 16))

    def total_interceptions(self) -> int:
        return self.interceptions(0, 0).total


def _from_rpc(item: dict[str, Any]) -> InterceptionReport:
    return InterceptionReport(item["rule"], item["ruleName"], to_checksum_address(item["origin"]),
                              to_checksum_address(item["sender"]), to_checksum_address(item["target"]),
                              item["selector"], int(item["amount"], 16), item["reason"],
                              int(item["blockNumber"], 16), item["transactionHash"], int(item["position"], 16))
