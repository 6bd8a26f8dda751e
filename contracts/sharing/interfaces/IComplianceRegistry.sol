// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IComplianceRegistry
 * @notice Per-account restriction and KYC level, set by the regulator and consulted by every
 * token of the sharing suite before anything moves.
 */
interface IComplianceRegistry {
    /// @notice An account's standing. `Unset` and `Allowed` may transact; `Blocked` may not.
    enum Restriction {
        Unset,
        Allowed,
        Blocked
    }

    /// @notice `account` is blocked and may not buy, send or receive.
    error ComplianceBlocked(address account);
    /// @notice `account` has KYC level `level`, below the `required` level.
    error ComplianceKycTooLow(address account, uint8 level, uint8 required);

    /// @notice Emitted after the regulator changed `account`'s restriction.
    event RestrictionUpdated(address indexed account, Restriction restriction);
    /// @notice Emitted after the regulator changed `account`'s KYC level.
    event KycLevelUpdated(address indexed account, uint8 level);

    /// @notice Sets `account`'s restriction. Caller: REGULATOR role.
    function setRestriction(address account, Restriction restriction) external;

    /// @notice Sets `account`'s KYC level (0 = none, 1 = buyer, 2 = merchant). Caller: REGULATOR role.
    function setKycLevel(address account, uint8 level) external;

    /// @notice `account`'s restriction. Anyone may call.
    function restrictionOf(address account) external view returns (Restriction);

    /// @notice `account`'s KYC level. Anyone may call.
    function kycLevelOf(address account) external view returns (uint8);

    /// @notice Whether `account` may transact (is not blocked). Anyone may call.
    function isAllowed(address account) external view returns (bool);

    /// @notice Reverts with `ComplianceBlocked` if `account` is blocked. Anyone may call.
    function requireAllowed(address account) external view;

    /// @notice Reverts unless `account` is not blocked and has at least KYC level `level`. Anyone may call.
    function requireKyc(address account, uint8 level) external view;
}
