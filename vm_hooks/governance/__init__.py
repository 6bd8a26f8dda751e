"""Governance inside the VM: system config (0x…1000), permissions (0x…1005), account status
(0x…10003), the rule that says who governs (authority.py) and their enforcement on every
message frame (rules.py, computation.py). See docs/governance.md."""
