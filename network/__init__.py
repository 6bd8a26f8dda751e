"""The consortium network: several organisations' Wabei nodes on one chain through CometBFT.

`network.init` lays out a network directory (CAs, node keys and certificates, CometBFT homes,
genesis, Wabei's per-node config; docs/network.md), `network.admission` decides which peers
may connect, `network.supervisor` and `network.status` run and watch a network on one machine.
"""
