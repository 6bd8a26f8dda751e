// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IERC4907
 * @notice ERC-4907 rental extension of ERC-721: a time-limited `user` role separate from the owner.
 * Interface id 0xad092b5c. Event and function names are the standard's.
 */
interface IERC4907 {
    /// @notice Emitted when the user of an NFT or its expiry changed; `user` zero means none.
    event UpdateUser(uint256 indexed tokenId, address indexed user, uint64 expires);

    /// @notice Sets the user of `tokenId` until `expires` (unix seconds). Caller: the owner or an approved operator.
    function setUser(uint256 tokenId, address user, uint64 expires) external;

    /// @notice The current user of `tokenId`, zero if none or expired. Anyone may call.
    function userOf(uint256 tokenId) external view returns (address);

    /// @notice The expiry of `tokenId`'s current user, zero if none. Anyone may call.
    function userExpires(uint256 tokenId) external view returns (uint256);
}
