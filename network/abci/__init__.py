"""Wabei as a CometBFT ABCI 2.0 application: the socket protocol (server.py) and the
application that maps ABCI onto the chain's block pipeline (app.py)."""
