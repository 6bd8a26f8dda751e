// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccountManagerPrecompiled} from "contracts/governance/AccountManagerPrecompiled.sol";

/// A contract whose methods the governance tests put rules on.
contract GovTarget {
    uint256 public value;

    function set(uint256 v) external {
        value = v;
    }
}

/// Reaches governed things from inside a contract: CREATE2, an internal call, a precompile call.
contract GovFactory {
    event Deployed(address child);

    function deploy(bytes32 salt) external returns (address child) {
        child = address(new GovTarget{salt: salt}());
        emit Deployed(child);
    }

    function callSet(address target, uint256 v) external {
        GovTarget(target).set(v);
    }

    function freeze(address account) external returns (int32) {
        return AccountManagerPrecompiled(address(0x10003)).setAccountStatus(account, 1);
    }
}
