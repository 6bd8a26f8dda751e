// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Greeter
/// @notice Minimal contract exercising events, reason-string reverts and
/// custom errors, for driving a node through Hardhat.
contract Greeter {
    /// @notice The caller tried to set a greeting longer than the limit.
    /// @param length the rejected greeting's length in bytes
    /// @param max the largest length accepted
    error GreeterGreetingTooLong(uint256 length, uint256 max);

    /// @notice Emitted after the greeting changed.
    event GreetingChanged(address indexed by, string previous, string current);

    uint256 private constant _MAX_LENGTH = 32;

    string private _greeting;
    uint256 private _failures;

    constructor(string memory greeting_) {
        _greeting = greeting_;
    }

    /// @notice The current greeting.
    function greet() external view returns (string memory) {
        return _greeting;
    }

    /// @notice Replace the greeting; reverts with GreeterGreetingTooLong past 32 bytes.
    function setGreeting(string calldata greeting_) external {
        uint256 length = bytes(greeting_).length;
        if (length > _MAX_LENGTH) {
            revert GreeterGreetingTooLong(length, _MAX_LENGTH);
        }
        string memory previous = _greeting;
        _greeting = greeting_;
        emit GreetingChanged(msg.sender, previous, greeting_);
    }

    /// @notice Always reverts with a reason string.
    /// @dev Not `view`, so clients send a transaction (estimateGas path)
    /// instead of a static call.
    function fail() external {
        _failures += 1;
        require(false, "Greeter: always fails");
    }
}
