"""What Wabei adds to the EVM (precompiles, checks, tracers). Importing it first chooses the
fast keccak backend, because its modules hash at import time (vm_hooks/fast_keccak.py)."""
from vm_hooks.fast_keccak import prefer_fast_keccak

prefer_fast_keccak()
