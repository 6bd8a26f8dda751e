// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Wabei's identity (KYC) registry, at 0x0000000000000000000000000000000000001011
/// @notice Identities bound to accounts by issuers the chain's governors authorise. Only a hash of
/// the off-chain KYC record is stored, with a level (1..255) and an expiry (unix seconds) — never
/// personal data. An identity counts while the block's timestamp is before its expiry and its
/// issuer is still authorised. A refusal reverts with a reason.
interface IdentityRegistryPrecompiled {
    /// @notice Authorise or remove an issuer. The chain's governors only. Returns 0.
    function setIssuer(address issuer, bool enabled) external returns (int32);
    /// @notice Bind `account`. Issuers only; another issuer's still-valid identity must be revoked first.
    function setIdentity(address account, bytes32 recordHash, uint8 level, uint64 expiry) external returns (int32);
    /// @notice Remove `account`'s identity. Its issuer or a governor. Returns 0.
    function revokeIdentity(address account) external returns (int32);

    function getIdentity(address account)
        external view returns (bytes32 recordHash, uint8 level, uint64 expiry, address issuer, bool valid);
    /// @notice The level that counts now: 0 when none, expired, or its issuer was removed.
    function kycLevel(address account) external view returns (uint8);
    function isVerified(address account, uint8 minLevel) external view returns (bool);
    function isIssuer(address account) external view returns (bool);
    function issuers() external view returns (address[] memory);

    event IssuerUpdated(address indexed issuer, bool enabled);
    event IdentitySet(address indexed account, address indexed issuer, bytes32 recordHash, uint8 level, uint64 expiry);
    event IdentityRevoked(address indexed account, address indexed by);
}
