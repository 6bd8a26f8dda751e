"""Consensus engines: who decides when a block is made and how nodes agree on it (chain/abc.py)."""
