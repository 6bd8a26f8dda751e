// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import "hardhat/console.sol";

/// @notice Calls hardhat/console.sol with every kind of argument tests/integration/test_console_log.py checks.
contract ConsoleLogger {
    uint256 public count;

    function logAll(string calldata text, uint256 u, int256 i, address a, bool b, bytes32 h) external {
        console.log(text);
        console.log(u);
        console.logInt(i);
        console.log(a);
        console.log(b);
        console.logBytes32(h);
        console.log("count %d of %s", u, text);
        console.log("%s is %s", a, b);
        count += 1;
    }

    /// @notice The same work without console calls, to compare gas with a node that has no hook.
    function quiet() external {
        count += 1;
    }

    function shout(string calldata text) external view returns (uint256) {
        console.log("shout:", text);
        return count;
    }

    /// @notice Logs, then works for `rounds` hashes: long enough that a call tried on the node's
    /// event loop first (2 ms of CPU) is started again on a worker.
    function shoutThenWork(string calldata text, uint256 rounds) external pure returns (bytes32 h) {
        console.log("shout:", text);
        for (uint256 r = 0; r < rounds; r++) {
            h = keccak256(abi.encode(h, r));
        }
    }

    function failing() external {
        count += 1;
        console.log("about to revert");
        revert("nope");
    }
}
