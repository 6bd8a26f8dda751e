"""Terminal output in Anvil's style: banner, one line per request method, a block per transaction,
and under it (or under an eth_call / eth_estimateGas) the console.log lines contracts sent."""
from __future__ import annotations

import sys
from typing import Callable, TextIO

from eth_typing import Address
from eth_utils.address import to_checksum_address

from chain.accounts import DevAccount
from chain.api.blocks import MinedBlock
from chain.api.events import CallConsoleLogs
from chain.backend.revert import decode_revert_reason
from chain.config import ChainConfig, ServerConfig
from chain.console_log.decode import format_payloads

ETHER = 10**18


class Console:
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self._out = out
        self._last_method: str | None = None
        self._repeats = 0
        # anvil_setLoggingEnabled switches the request and block log off and on; the banner
        # and the listening address are always printed.
        self.enabled: Callable[[], bool] = lambda: True

    def _print(self, text: str = "") -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def banner(self, config: ChainConfig, accounts: tuple[DevAccount, ...], url: str,
               server: ServerConfig | None = None) -> None:
        p = self._print
        p("Wabei — a Python devnet on py-evm\n")
        p("Available Accounts\n==================")
        for i, a in enumerate(accounts):
            p(f"({i}) {to_checksum_address(a.address)} ({config.account_balance_wei / ETHER:g} ETH)")
        p("\nPrivate Keys\n==================")
        for i, a in enumerate(accounts):
            p(f"({i}) 0x{a.private_key.to_bytes().hex()}")
        p("\nWallet\n==================")
        p(f"Mnemonic:          {config.mnemonic}")
        p("Derivation path:   m/44'/60'/0'/0/")
        p(f"\nChain ID\n==================\n{config.chain_id}")
        p(f"\nGas Limit\n==================\n{config.gas_limit}")
        mode = config.mining.value + (f" ({config.block_time}s)" if config.block_time else "")
        p(f"\nMining\n==================\n{mode}")
        storage = str(config.data_dir) if config.data_dir else "in memory"
        p(f"\nStorage\n==================\n{storage}")
        for line in exposure_lines(config, server or ServerConfig()):
            p(line)
        p(f"\nListening on {url}")
        if (server or ServerConfig()).explorer:
            p(f"Explorer:    http://{url}/explorer/")

    def request(self, method: str) -> None:
        """One line per method; consecutive repeats collapse into a count."""
        if not self.enabled():
            return
        if method == self._last_method:
            self._repeats += 1
            return
        if self._repeats:
            self._print(f"{self._last_method} (×{self._repeats + 1})")
        self._last_method, self._repeats = method, 0
        self._print(method)

    def block(self, mined: MinedBlock) -> None:
        if not self.enabled():
            return
        block = mined.block
        prev = 0
        for i, (tx, receipt) in enumerate(zip(block.transactions, block.receipts)):
            gas = receipt.gas_used - prev
            prev = receipt.gas_used
            self._print("")
            self._print(f"    Transaction: 0x{bytes(tx.hash).hex()}")
            if not tx.to:
                from eth._utils.address import generate_contract_address
                created = generate_contract_address(Address(block.senders[i]), tx.nonce)
                self._print(f"    Contract created: 0x{created.hex()}")
            else:
                self._print(f"    To: 0x{bytes(tx.to).hex()}")
            self._print(f"    Gas used: {gas} of {tx.gas}")
            self._print(f"    Block Number: {block.number}")
            if receipt.state_root != b"\x01":
                comp = mined.built.computations[i]
                reason = decode_revert_reason(bytes(comp.output)) if comp.output else None
                self._print(f"    Error: reverted{': ' + reason if reason else ''}")
            self._console_lines("console.log:", mined.built.console_logs[i])
        if block.transactions:
            self._print("")

    def call_logs(self, logs: CallConsoleLogs) -> None:
        """console.log output of an eth_call / eth_estimateGas, labelled with the method."""
        if self._repeats:  # the repeats so far belong above these lines
            self._print(f"{self._last_method} (×{self._repeats + 1})")
        # The next request prints its method again, so each call's lines sit under their call.
        self._last_method, self._repeats = None, 0
        self._console_lines(f"console.log ({logs.label}):", logs.payloads)

    def _console_lines(self, title: str, payloads: tuple[bytes, ...]) -> None:
        lines = format_payloads(payloads)
        if not lines:
            return
        self._print(f"    {title}")
        for line in lines:
            for part in line.split("\n"):  # keep a multi-line message inside the indentation
                self._print(f"      {part}")

    def rejected(self, tx_hash: bytes, reason: str) -> None:
        if not self.enabled():
            return
        self._print(f"    Dropped 0x{tx_hash.hex()}: {reason}")


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _metrics_where(server: ServerConfig) -> str:
    if not server.metrics:
        return "off (--no-metrics)"
    if server.metrics_addr is None:
        return "on the JSON-RPC port (--metrics-addr moves them, --no-metrics turns them off)"
    host, port = server.metrics_addr
    return f"on {host}:{port} only (--metrics-addr)"


def exposure_lines(config: ChainConfig, server: ServerConfig) -> list[str]:
    """The banner's "Exposure" section: what a caller of this node may do, and warnings when
    that is more than a developer on this machine should have (docs/rpc.md, Limits and exposure)."""
    dev = "on" if server.dev_methods else "off (--no-dev-methods)"
    if not config.dev:
        dev = "none (not a devnet)"
    unlocked = "on" if config.unlocked_accounts else "off (--no-unlocked-accounts)"
    origins = ", ".join(server.cors_origins) if server.cors_origins else "none (no --cors-origins)"
    lines = ["\nExposure\n==================",
             f"Dev methods (evm_*, anvil_*, hardhat_*): {dev}",
             f"Unlocked dev accounts:                  {unlocked}",
             f"Browser origins allowed (CORS):         {origins}",
             f"Metrics (/metrics, docs/metrics.md):    {_metrics_where(server)}"]
    powers = [what for what, on in (("dev methods", config.dev and server.dev_methods),
                                    ("unlocked dev accounts", config.unlocked_accounts)) if on]
    if "*" in server.cors_origins:
        lines.append("WARNING: --cors-origins * lets every web page you open call this node"
                     + (f" and use its {' and '.join(powers)}" if powers else ""))
    if server.host not in _LOOPBACK and powers:
        lines.append(f"WARNING: listening on {server.host} with {' and '.join(powers)}: anyone who can reach "
                     "this port can use them; add --no-dev-methods --no-unlocked-accounts")
    return lines
