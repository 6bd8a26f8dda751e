"""The Wabei node. Importing it first chooses the fast keccak backend (vm_hooks/fast_keccak.py)."""
from vm_hooks.fast_keccak import prefer_fast_keccak

prefer_fast_keccak()
