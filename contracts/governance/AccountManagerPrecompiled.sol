// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FISCO BCOS v3's AccountManagerPrecompiled, at 0x0000000000000000000000000000000000010003
/// @notice Account status: 0 normal, 1 frozen, 2 abolished (final). A frozen account's transactions
/// are refused by the pool and fail in the VM; its balance is untouched. Governors cannot be frozen.
interface AccountManagerPrecompiled {
    /// @notice Set `account`'s status. Governors only. Returns 0.
    function setAccountStatus(address account, uint8 status) external returns (int32);
    /// @notice `account`'s status.
    function getAccountStatus(address account) external view returns (uint8);

    event AccountStatusChanged(address indexed account, uint8 status);
}
