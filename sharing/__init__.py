"""The Wabei sharing-economy suite: deployment, role table, pure economic rules and a typed client.

``deploy_suite`` deploys and wires the Solidity suite from ``contracts/build``;
``register_in_cns`` publishes it under ``*.wabei`` names; ``SharingClient`` drives the story
one action per method. ``rules`` mirrors the contracts' arithmetic as pure functions.
"""

from sharing.client import SharingClient
from sharing.deploy import SuiteAccounts, SuiteDeployment, deploy_suite, register_in_cns
from sharing.errors import DeploymentError, SharingError, TransactionFailedError, decode_revert
from sharing.roles import Role

__all__ = [
    "DeploymentError",
    "Role",
    "SharingClient",
    "SharingError",
    "SuiteAccounts",
    "SuiteDeployment",
    "TransactionFailedError",
    "decode_revert",
    "deploy_suite",
    "register_in_cns",
]
