// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FISCO BCOS's SystemConfigPrecompiled, at 0x0000000000000000000000000000000000001000
/// @notice Chain limits set by the chain's governors (the committee 0x…10001 and the chain admin).
/// Keys: tx_count_limit (>= 1), tx_gas_limit (>= 100000), block_gas_limit (>= 100000); values are
/// decimal strings. A value set in block N applies from block N + 1. A refusal reverts with a reason.
interface SystemConfigPrecompiled {
    /// @notice Set `key` to `value`. Governors only. Returns 0.
    function setValueByKey(string memory key, string memory value) external returns (int32);

    /// @notice The value of `key` ("" if never set) and the block from which it applies.
    function getValueByKey(string memory key) external view returns (string memory, int64);

    /// @notice Emitted on every change.
    event SystemConfigChanged(string key, string value, int64 enableNumber);
}
