// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IMerchantRegistry
 * @notice Merchants admitted to the platform, their status and how many listings they have open.
 */
interface IMerchantRegistry {
    /// @notice A merchant's standing. Only `Active` merchants list and sell.
    enum MerchantStatus {
        None,
        Active,
        Defaulted
    }

    /// @notice `account` is already a registered merchant.
    error MerchantAlreadyRegistered(address account);
    /// @notice `account` is not an active merchant.
    error MerchantNotActive(address account);

    /// @notice Emitted after `account` was admitted as a merchant.
    event MerchantRegistered(address indexed account, bytes32 profileHash);
    /// @notice Emitted after `account` defaulted on a buyback.
    event MerchantDefaulted(address indexed account);
    /// @notice Emitted after `account`'s count of open listings changed.
    event OpenListingsChanged(address indexed account, uint256 openListings);

    /// @notice Admits `account` (KYC level 2 required) with a hash of its profile documents. Caller: OPERATOR role.
    function registerMerchant(address account, bytes32 profileHash) external;

    /// @notice Marks `account` as defaulted. Caller: PRESALE role (the presale on a declared default).
    function markDefaulted(address account) external;

    /// @notice Counts a listing of `account` as open. Caller: PRESALE role (the presale on activation).
    function listingOpened(address account) external;

    /// @notice Counts a listing of `account` as done (failed, defaulted or settled). Caller: PRESALE role.
    function listingClosed(address account) external;

    /// @notice `account`'s status. Anyone may call.
    function statusOf(address account) external view returns (MerchantStatus);

    /// @notice How many of `account`'s listings went live and are not yet done. Anyone may call.
    function openListingsOf(address account) external view returns (uint256);

    /// @notice Reverts with `MerchantNotActive` unless `account` is active. Anyone may call.
    function requireActive(address account) external view;
}
