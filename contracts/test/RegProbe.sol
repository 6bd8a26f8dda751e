// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IdentityRegistryPrecompiled} from "contracts/governance/IdentityRegistryPrecompiled.sol";
import {GovTarget} from "contracts/test/GovProbe.sol";

/// Reaches regulated things from inside a contract: a call it catches, a call it lets fail, a
/// KYC check through the registry's Solidity interface.
contract RegProbe {
    IdentityRegistryPrecompiled private constant REGISTRY = IdentityRegistryPrecompiled(address(0x1011));

    event Tried(bool ok);

    /// Calls target.set(v) and survives its failure (the interception report must survive too).
    function trySet(address target, uint256 v) external returns (bool ok) {
        try GovTarget(target).set(v) {
            ok = true;
        } catch {
            ok = false;
        }
        emit Tried(ok);
    }

    /// Calls target.set(v) and bubbles its failure up.
    function callSet(address target, uint256 v) external {
        GovTarget(target).set(v);
    }

    /// What a compliance check in a contract looks like: revert unless the caller is verified.
    function onlyVerified(uint8 level) external view returns (uint8) {
        require(REGISTRY.isVerified(msg.sender, level), "RegProbe: caller is not KYC-verified");
        return REGISTRY.kycLevel(msg.sender);
    }
}
