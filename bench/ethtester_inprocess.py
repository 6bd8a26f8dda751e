"""eth-tester in process (web3's EthereumTesterProvider, no HTTP) against eth-tester and Wabei over HTTP.

What the HTTP hop costs the Python baseline, and how Wabei compares with eth-tester used the way a
pytest suite uses it.

    python bench/ethtester_inprocess.py [--runs 3] [--txs 300]

Sequential ERC-20 transfers (pre-signed, the same Shanghai TestToken as bench/run.py), alternating
the three set-ups; prints each run and the medians. The main table measures every peer over HTTP,
so this is the figure to hold Wabei against when the question is "faster than eth-tester in a
pytest process", which no HTTP node can fully answer.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers  # noqa: E402
import workloads as wl  # noqa: E402
from eth_tester import EthereumTester, PyEVMBackend  # noqa: E402
from ethtester_server import BALANCE, HD_PATH, MNEMONIC  # noqa: E402
from web3 import Web3  # noqa: E402
from web3.providers.eth_tester import EthereumTesterProvider  # noqa: E402


def erc20_tps(w3: Web3, art: wl.Artifact, n: int, chain_id: int = peers.ETH_TESTER_CHAIN_ID) -> float:
    me = wl.Signer(wl.dev_accounts(1)[0], chain_id)
    token = wl.token_address(me.account.address, 0)
    deploy_tx = me.token_deploy(0, art)
    txs = me.token_transfers(token, 1, wl.fresh_addresses(n))
    wl.deploy(w3, deploy_tx)
    return wl.sequential(w3, txs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--txs", type=int, default=300)
    args = ap.parse_args()
    art = wl.token_artifact()
    res: dict[str, list[float]] = {"eth-tester in process": [], "eth-tester over HTTP": [],
                                   "Wabei over HTTP": []}
    for i in range(args.runs):
        backend = PyEVMBackend.from_mnemonic(MNEMONIC, num_accounts=10, hd_path=HD_PATH,
                                             genesis_state_overrides={"balance": BALANCE})
        res["eth-tester in process"].append(erc20_tps(Web3(EthereumTesterProvider(EthereumTester(backend))), art, args.txs))
        for name, label in (("eth-tester", "eth-tester over HTTP"), ("Wabei", "Wabei over HTTP")):
            node = peers.start(peers.PEERS[name])
            try:
                res[label].append(erc20_tps(wl.connect(node.url), art, args.txs, peers.PEERS[name].chain_id))
            finally:
                node.stop()
        print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in res.items()), flush=True)
    print("median ERC-20 tx/s: " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in res.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
