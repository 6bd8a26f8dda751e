"""The consortium's trust list on chain: CA certificates, CRLs and node certificates (0x…1009)."""
