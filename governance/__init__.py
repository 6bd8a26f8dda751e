"""The Python side of Wabei's governance precompiles: typed clients for SystemConfig (0x…1000),
Permission (0x…1005), AccountManager (0x…10003) (governance/client.py) and the committee
(0x…10001, governance/committee.py), with clear errors (governance/errors.py)."""
