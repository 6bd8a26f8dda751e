// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IAssetRegistry
 * @notice The physical assets (houses) as ERC-721 tokens held in the operator's custody, each
 * linked to its merchant and to the hashes of its documents (deeds, inspections, contracts).
 */
interface IAssetRegistry {
    /// @notice Emitted after an asset was registered and minted into `custodian`'s custody.
    event AssetRegistered(uint256 indexed assetId, address indexed merchant, address indexed custodian);
    /// @notice Emitted after a document hash was attached to an asset.
    event DocumentAdded(uint256 indexed assetId, bytes32 documentHash);

    /// @notice Registers an asset of `merchant`, minted to `custodian`, with a first document hash.
    /// Caller: OPERATOR role. Returns the new asset id (ids start at 1).
    function registerAsset(address custodian, address merchant, bytes32 documentHash) external returns (uint256);

    /// @notice Attaches another document hash to `assetId`. Caller: OPERATOR role.
    function addDocument(uint256 assetId, bytes32 documentHash) external;

    /// @notice The merchant who owns the business behind `assetId` (zero if unknown). Anyone may call.
    function merchantOf(uint256 assetId) external view returns (address);

    /// @notice Every document hash attached to `assetId`, oldest first. Anyone may call.
    function documentsOf(uint256 assetId) external view returns (bytes32[] memory);
}
