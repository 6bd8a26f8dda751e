"""Regulation: the regulator's interception rules (0x…1010) and the identity/KYC registry (0x…1011)."""
