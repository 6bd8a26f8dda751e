"""Where Wabei's platform contracts live.

Platform precompiles use FISCO BCOS's reserved range `0x…1000`–`0x…1fff`, at FISCO's own
addresses where FISCO defines one (0x1004 is CNS there too), so FISCO-style Solidity keeps
working unchanged. The ENS registry and universal resolver sit where web3.py looks by default
(`ens.constants`), which is what lets a plain `Web3(HTTPProvider(url))` resolve `*.wabei` names.
"""
from __future__ import annotations

from eth_typing import Address
from eth_utils.address import to_canonical_address

PLATFORM_RANGE_START = 0x1000
PLATFORM_RANGE_END = 0x1FFF  # inclusive


def platform_address(offset: int) -> Address:
    """The address `0x…<offset>` inside the reserved platform range."""
    if not PLATFORM_RANGE_START <= offset <= PLATFORM_RANGE_END:
        raise ValueError(f"0x{offset:x} is outside the platform range 0x1000-0x1fff")
    return Address(offset.to_bytes(20, "big"))


def is_platform_address(address: bytes) -> bool:
    """True for addresses in the reserved range (user contracts can never be deployed there)."""
    value = int.from_bytes(address, "big")
    return PLATFORM_RANGE_START <= value <= PLATFORM_RANGE_END


SYSTEM_CONFIG = platform_address(0x1000)  # FISCO SystemConfigPrecompiled: chain limits (vm_hooks/governance)
CONSENSUS = platform_address(0x1003)  # FISCO ConsensusPrecompiled interface: the validator set
CNS = platform_address(0x1004)  # FISCO CNSPrecompiled interface
PERMISSION = platform_address(0x1005)  # FISCO v3 ContractAuthPrecompiled: deploy/method ACLs, contract status
GOVERNANCE = platform_address(0x1008)  # reserved (FISCO ChainGovernancePrecompiled)
CNS_RESOLVER = platform_address(0x1104)  # ENS resolver for every *.wabei name

# The consortium's trust list (CA certificates, their CRLs, node certificates) for admission.
# FISCO has no precompile here; 0x1009 is the first free address after its governance one.
TRUST_LIST = platform_address(0x1009)

# FISCO BCOS v3 puts its committee and account manager just past the 0x1000 range, at 0x10001
# (CommitteeManager) and 0x10003 (AccountManagerPrecompiled); Wabei keeps those addresses.
COMMITTEE = Address((0x10001).to_bytes(20, "big"))
ACCOUNT_MANAGER = Address((0x10003).to_bytes(20, "big"))

ENS_REGISTRY = to_canonical_address("0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e")
UNIVERSAL_RESOLVER = to_canonical_address("0xeEeEEEeE14D718C2B47D9923Deab1335E144EeEe")

# Code placed at every system address so that `extcodesize` is non-zero (Solidity checks it
# before calls that return nothing) and the account is never "empty" under EIP-161. It never
# runs: py-evm dispatches a precompile address before looking at its code. 0xfe is INVALID.
SYSTEM_STUB_CODE = b"\xfe"
