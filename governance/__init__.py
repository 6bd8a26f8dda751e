"""Clients for Wabei's governance precompiles (FISCO BCOS v3 style): the committee
(governance/committee.py) and the other governance interfaces beside it."""
