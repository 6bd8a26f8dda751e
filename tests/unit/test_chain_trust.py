"""The trust list from `wabei network init` to a running node's admission: init writes it into
genesis.json's app_state, every node's config seeds the identical genesis from it, and the node's
peer filter follows the chain: a CRL published by transaction refuses the revoked node at once.
The chain runs in process (mined on demand instead of by CometBFT), served over HTTP for web3.py;
tests/comet/test_trust_on_chain.py does the same through real CometBFT peers."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3

from chain.api.chain import build_chain
from chain.config import DEFAULT_MNEMONIC, MiningMode, NodeConfig
from network import pki
from network.admission import CertificatePeerFilter
from network.alloc import default_alloc
from network.chain_trust import ChainTrustFollower, follow_chain_trust
from network.comet_files import cometbft_binary
from network.config import load
from network.init import init_network
from network.layout import load_manifest
from network.plan import plan_network
from network.trust import peer_filter_for
from tests.inprocess import NodeThread
from vm_hooks.addresses import TRUST_LIST
from vm_hooks.trust.store import fingerprint


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trustnet") / "n"
    plan = plan_network(org_names=["bank", "port"], nodes_per_org=1, observers_per_org=0, regulator=None,
                        hosts=None, node_hosts={}, chain_id=31337, p2p_base=36656, rpc_base=18545, app="wabei")
    init_network(out, plan, default_alloc(), cometbft=cometbft_binary(), unlocked_mnemonic=DEFAULT_MNEMONIC)
    return out


def test_init_writes_the_trust_list_into_app_state(net: Path) -> None:
    trust = json.loads((net / "genesis.json").read_text())["app_state"]["trust"]
    on_disk = x509.load_pem_x509_certificate((net / "trust" / "cas" / "bank.pem").read_bytes())
    assert trust["cas"][0]["certificate"] == "0x" + on_disk.public_bytes(Encoding.DER).hex()
    crl = x509.load_der_x509_crl(bytes.fromhex(trust["cas"][0]["crl"][2:]))
    assert crl.public_bytes(Encoding.PEM) == (net / "trust" / "crls" / "bank.pem").read_bytes()
    assert len(trust["certificates"]) == 2


def test_every_node_seeds_the_same_genesis(net: Path) -> None:
    first, second = load(net, "bank-node1"), load(net, "port-node1")
    assert first.chain.genesis_storage and first.chain.genesis_storage == second.chain.genesis_storage
    chains = [build_chain(replace(c.chain, data_dir=None)) for c in (first, second)]
    try:
        assert chains[0].backend.genesis.hash == chains[1].backend.genesis.hash
    finally:
        for chain in chains:
            chain.close()


def _send(w3: Web3, signature: str, *args: Any) -> Any:
    types = signature[signature.index("(") + 1:-1].split(",")
    data = function_signature_to_4byte_selector(signature) + encode(types, list(args))
    sender = w3.eth.accounts[0]  # the genesis admin: init's default is the first allocated account
    tx_hash = w3.eth.send_transaction({"from": sender, "to": Web3.to_checksum_address(TRUST_LIST), "data": data})
    return w3.eth.wait_for_transaction_receipt(tx_hash)


def test_the_peer_filter_follows_the_chain(net: Path) -> None:
    config = load(net, "bank-node1")
    victim = next(n for n in load_manifest(net)["nodes"] if n["name"] == "port-node1")
    thread = NodeThread()
    try:
        chain = thread.call(lambda: build_chain(replace(config.chain, data_dir=None, mining=MiningMode.AUTO)))
        peer_filter = peer_filter_for(net, "bank-node1")
        (net / "trust" / "crls" / "port.pem").unlink()  # the files no longer matter once the chain has a list
        assert thread.call(lambda: follow_chain_trust(chain, peer_filter))
        assert peer_filter.allows_id(victim["node_id"])
        handle = thread.start(NodeConfig.test(dev=False), chains=[chain])
        w3 = Web3(Web3.HTTPProvider(f"http://{handle.host}:{handle.port}"))

        port_ca = pki.load_authority((net / "orgs" / "port" / "ca.pem").read_bytes(),
                                     (net / "orgs" / "port" / "ca.key").read_bytes())
        cert = x509.load_pem_x509_certificate((net / "certs" / "port-node1.pem").read_bytes())
        crl = pki.build_crl(port_ca, [cert.serial_number], now=dt.datetime.now(dt.timezone.utc))
        receipt = _send(w3, "publishCRL(bytes32,bytes)", fingerprint(port_ca.certificate.public_bytes(Encoding.DER)),
                        crl.public_bytes(Encoding.DER))
        assert receipt.status == 1
        assert "is revoked by its CA" in peer_filter.decide_id(victim["node_id"]).reason

        receipt = _send(w3, "removeCA(bytes32)", fingerprint(port_ca.certificate.public_bytes(Encoding.DER)))
        assert "is not a trusted consortium CA" in peer_filter.decide_id(victim["node_id"]).reason
        bank = next(n for n in load_manifest(net)["nodes"] if n["name"] == "bank-node1")
        assert peer_filter.allows_id(bank["node_id"])
    finally:
        thread.close()


def test_a_chain_without_a_seeded_list_leaves_the_file_filter_alone(net: Path) -> None:
    config = load(net, "bank-node1")
    chain = build_chain(replace(config.chain, data_dir=None, genesis_storage=()))
    try:
        peer_filter = peer_filter_for(net, "bank-node1")
        before = peer_filter.filter.trust
        assert not follow_chain_trust(chain, peer_filter)
        assert peer_filter.filter.trust is before and peer_filter.follow_files
    finally:
        chain.close()
