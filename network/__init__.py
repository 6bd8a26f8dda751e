"""A Wabei network: Wabei nodes agreeing on one chain through CometBFT (docs/network.md).

`network.abci` is Wabei as a CometBFT ABCI application; `network.engine` is the consensus
engine a network chain submits transactions through; `network.node` runs one node of a network.
The package builds on `chain` (never the reverse) and imports no client library.
"""
