// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IRiskControlVault
 * @notice The initiator's risk control over each merchant: pledged share units of the merchant's
 * business (recorded by the operator) and a bond in native currency. A listing goes live only
 * when the stake meets the minimum; the stake is seized on default and released only after all
 * of the merchant's listings are done.
 */
interface IRiskControlVault {
    /// @notice `merchant`'s stake (`shareUnits`, `bond` wei) is below the minimum.
    error RiskStakeBelowMinimum(address merchant, uint256 shareUnits, uint256 bond);
    /// @notice `merchant` still has `openListings` listings that are not done.
    error RiskStakeLocked(address merchant, uint256 openListings);
    /// @notice `merchant`'s stake was seized and can no longer change.
    error RiskStakeSeized(address merchant);

    /// @notice Emitted after the operator recorded `shareUnits` more pledged share units.
    event SharesPledged(address indexed merchant, uint256 shareUnits, uint256 totalShareUnits);
    /// @notice Emitted after `merchant` posted `amount` wei of bond.
    event BondPosted(address indexed merchant, uint256 amount, uint256 totalBond);
    /// @notice Emitted after the minimum stake changed.
    event MinimumStakeUpdated(uint256 shareUnits, uint256 bond);
    /// @notice Emitted after the stake was seized; the bond went to `recipient`.
    event StakeSeized(address indexed merchant, address indexed recipient, uint256 shareUnits, uint256 bond);
    /// @notice Emitted after the stake was released to `merchant`.
    event StakeReleased(address indexed merchant, uint256 shareUnits, uint256 bond);

    /// @notice Records that `merchant` pledged `shareUnits` more share units to the initiator. Caller: OPERATOR role.
    function recordPledge(address merchant, uint256 shareUnits) external;

    /// @notice Adds `msg.value` wei to the caller's bond. Caller: an active merchant.
    function postBond() external payable;

    /// @notice Sets the minimum stake a merchant needs before a listing goes live. Caller: ADMIN role.
    function setMinimumStake(uint256 shareUnits, uint256 bond) external;

    /// @notice Seizes `merchant`'s stake and sends the bond to the caller; returns 0 (and sends nothing) if it
    /// was already seized, so every defaulted listing of the merchant can close. Caller: PRESALE role (the presale on default).
    function seize(address merchant) external returns (uint256 bond);

    /// @notice Returns the bond to `merchant` and clears the pledge once no listing is open. Caller: OPERATOR role.
    function release(address merchant) external;

    /// @notice `merchant`'s pledged share units, bond in wei and whether it was seized. Anyone may call.
    function stakeOf(address merchant) external view returns (uint256 shareUnits, uint256 bond, bool seized);

    /// @notice The minimum share units and bond (wei). Anyone may call.
    function minimumStake() external view returns (uint256 shareUnits, uint256 bond);

    /// @notice Reverts with `RiskStakeBelowMinimum` or `RiskStakeSeized` unless `merchant` may go live. Anyone may call.
    function requireMinimumStake(address merchant) external view;
}
