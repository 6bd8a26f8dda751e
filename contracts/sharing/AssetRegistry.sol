// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IComplianceRegistry} from "./interfaces/IComplianceRegistry.sol";
import {IERC4907} from "./interfaces/IERC4907.sol";

/**
 * @title AssetRegistry
 * @notice Houses as ERC-721 tokens with ERC-4907 users. Registration and documents: OPERATOR role.
 * `setUser`: the owner (the custodian) or an operator it approved (the consumption gateway).
 * Every transfer consults the ComplianceRegistry and clears the user, as ERC-4907 recommends.
 */
contract AssetRegistry is IAssetRegistry, IERC4907, ERC721, AccessManaged {
    struct UserInfo {
        address user;
        uint64 expires;
    }

    IComplianceRegistry private immutable _compliance;
    uint256 private _lastId;
    mapping(uint256 assetId => address) private _merchants;
    mapping(uint256 assetId => bytes32[]) private _documents;
    mapping(uint256 assetId => UserInfo) private _users;

    constructor(address authority, IComplianceRegistry compliance)
        ERC721("Wabei Asset", "WASSET")
        AccessManaged(authority)
    {
        _compliance = compliance;
    }

    /// @inheritdoc IAssetRegistry
    function registerAsset(address custodian, address merchant, bytes32 documentHash)
        external
        restricted
        returns (uint256 assetId)
    {
        assetId = ++_lastId;
        _merchants[assetId] = merchant;
        _documents[assetId].push(documentHash);
        _mint(custodian, assetId);
        emit AssetRegistered(assetId, merchant, custodian);
        emit DocumentAdded(assetId, documentHash);
    }

    /// @inheritdoc IAssetRegistry
    function addDocument(uint256 assetId, bytes32 documentHash) external restricted {
        _requireOwned(assetId);
        _documents[assetId].push(documentHash);
        emit DocumentAdded(assetId, documentHash);
    }

    /// @inheritdoc IERC4907
    function setUser(uint256 tokenId, address user, uint64 expires) external {
        _checkAuthorized(_ownerOf(tokenId), msg.sender, tokenId);
        _users[tokenId] = UserInfo(user, expires);
        emit UpdateUser(tokenId, user, expires);
    }

    /// @inheritdoc IERC4907
    function userOf(uint256 tokenId) external view returns (address) {
        UserInfo memory info = _users[tokenId];
        return info.expires >= block.timestamp ? info.user : address(0);
    }

    /// @inheritdoc IERC4907
    function userExpires(uint256 tokenId) external view returns (uint256) {
        return _users[tokenId].expires;
    }

    /// @inheritdoc IAssetRegistry
    function merchantOf(uint256 assetId) external view returns (address) {
        return _merchants[assetId];
    }

    /// @inheritdoc IAssetRegistry
    function documentsOf(uint256 assetId) external view returns (bytes32[] memory) {
        return _documents[assetId];
    }

    /// @notice ERC-165: ERC-721, its metadata, and ERC-4907. Anyone may call.
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IERC4907).interfaceId || super.supportsInterface(interfaceId);
    }

    function _update(address to, uint256 tokenId, address auth) internal virtual override returns (address from) {
        if (to != address(0)) _compliance.requireAllowed(to);
        from = super._update(to, tokenId, auth);
        if (from != address(0)) _compliance.requireAllowed(from);
        if (from != to && _users[tokenId].user != address(0)) {
            delete _users[tokenId];
            emit UpdateUser(tokenId, address(0), 0);
        }
    }
}
