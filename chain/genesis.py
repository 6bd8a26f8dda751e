"""The genesis block: funded dev accounts and the platform's system accounts on an empty state."""
from __future__ import annotations

from eth.abc import AtomicDatabaseAPI, BlockHeaderAPI, ExecutionContextAPI
from eth.constants import BLANK_ROOT_HASH
from eth_typing import Address, BlockNumber, Hash32

from chain.spec import ChainSpec
from chain.types import GenesisAccount
from vm_hooks.addresses import SYSTEM_STUB_CODE
from vm_hooks.computation import system_accounts
from vm_hooks.governance.genesis import GovernanceGenesis


def system_alloc(network: bool = True) -> dict[bytes, GenesisAccount]:
    """Accounts for the platform precompiles (CNS, ENS; Consensus on a network chain), present
    from block 0.

    Nonce 1 keeps them from ever being "empty" (EIP-161) and so from being swept away.
    """
    return {address: GenesisAccount(nonce=1, code=code)
            for address, code in system_accounts(network).items()}


def governance_alloc(governance: GovernanceGenesis) -> dict[bytes, GenesisAccount]:
    """The governance accounts a `--governance` file seeds, with the stub code and nonce 1 every
    system account has (vm_hooks/governance/writes.py creates the others on first write)."""
    return {address: GenesisAccount(nonce=1, code=SYSTEM_STUB_CODE, storage=slots)
            for address, slots in governance.storage().items()}


def with_storage(alloc: dict[bytes, GenesisAccount],
                 words: tuple[tuple[bytes, int, int], ...]) -> dict[bytes, GenesisAccount]:
    """`alloc` with storage `words` (address, slot, value) added to their accounts. An account
    not in `alloc` is a platform precompile's (e.g. the committee's on a governed chain): it is
    created as the system accounts are (nonce 1, stub code), since an account with only
    storage is "empty" under EIP-161 and the first call that touches it would delete it."""
    out = dict(alloc)
    for address, slot, value in words:
        account = out.get(address, GenesisAccount(nonce=1, code=SYSTEM_STUB_CODE))
        out[address] = GenesisAccount(account.balance, account.nonce, account.code, {**account.storage, slot: value})
    return out


def build_genesis(
    spec: ChainSpec,
    db: AtomicDatabaseAPI,
    alloc: dict[bytes, GenesisAccount],
    *,
    gas_limit: int,
    timestamp: int,
    base_fee: int,
    coinbase: bytes,
) -> BlockHeaderAPI:
    """Write the genesis state into `db` and return its header (block 0, post-merge fields)."""
    state = spec.vm_class.get_state_class()(db, _genesis_context(gas_limit, timestamp, base_fee), BLANK_ROOT_HASH)
    for raw_address, account in alloc.items():
        address = Address(raw_address)
        state.set_balance(address, account.balance)
        state.set_nonce(address, account.nonce)
        if account.code:
            state.set_code(address, account.code)
        for slot, value in account.storage.items():
            state.set_storage(address, slot, value)
    state.persist()
    return spec.vm_class.create_genesis_header(
        state_root=state.state_root,
        gas_limit=gas_limit,
        timestamp=timestamp,
        base_fee_per_gas=base_fee,
        coinbase=coinbase,
        difficulty=0,
        extra_data=b"wabei",
    )


def _genesis_context(gas_limit: int, timestamp: int, base_fee: int) -> ExecutionContextAPI:
    from eth.vm.execution_context import ExecutionContext

    return ExecutionContext(
        coinbase=Address(b"\x00" * 20), timestamp=timestamp, block_number=BlockNumber(0),
        difficulty=0, mix_hash=Hash32(b"\x00" * 32), gas_limit=gas_limit, prev_hashes=(),
        chain_id=0, base_fee_per_gas=base_fee,
    )
