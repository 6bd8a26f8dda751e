// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title Counter
 * @notice The smallest stateful contract: one storage slot and one event, handy for
 * gas estimation, nonce and mining tests.
 */
contract Counter {
    uint256 private _number;

    /**
     * @notice Emitted after every increment.
     * @param newValue The counter's value after the increment.
     */
    event Incremented(uint256 newValue);

    /**
     * @notice Adds one to the counter. Anyone may call.
     */
    function increment() external {
        uint256 newValue = _number + 1;
        _number = newValue;
        emit Incremented(newValue);
    }

    /**
     * @notice The counter's current value.
     * @return The number of increments so far.
     */
    function number() external view returns (uint256) {
        return _number;
    }
}
