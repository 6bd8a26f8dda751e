// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CNSPrecompiled} from "./CNSPrecompiled.sol";

/// @title Wabei's additions to the CNS at 0x0000000000000000000000000000000000001004
/// @notice Gray upgrades (`setLatest`), delegated publishing and name ownership. Every name is
/// also an ENS name: `NAME.wabei` is the latest version, `vX-Y-Z.NAME.wabei` a pinned one.
/// `node` in events is the ENS namehash of `NAME.wabei`.
interface IWabeiCNS is CNSPrecompiled {
    /// @notice A version was published.
    event VersionPublished(bytes32 indexed node, string name, string version, address addr, address publisher);
    /// @notice `NAME.wabei` now points at `version` (was `previousVersion`, empty for the first).
    event LatestChanged(bytes32 indexed node, string name, string previousVersion, string version, address addr);
    /// @notice The owner allowed or disallowed `account` to publish versions.
    event PublisherAuthorised(bytes32 indexed node, address indexed account, bool allowed);
    /// @notice The name changed hands.
    event NameOwnershipTransferred(bytes32 indexed node, address indexed previousOwner, address indexed newOwner);

    /// @notice Point `NAME.wabei` at a published `version` (switch or roll back). Owner only.
    function setLatest(string memory name, string memory version) external;

    /// @notice Allow or disallow `account` to publish versions of `name`. Owner only.
    function authorize(string memory name, address account, bool allowed) external;

    /// @notice Hand `name` to `newOwner`. Owner only.
    function transferNameOwnership(string memory name, address newOwner) external;

    /// @notice The owner of `name` (zero if unpublished).
    function ownerOf(string memory name) external view returns (address);

    /// @notice The version `NAME.wabei` points at; reverts for an unknown name.
    function latestVersion(string memory name) external view returns (string memory);

    /// @notice Whether `account` may publish versions of `name`.
    function isPublisher(string memory name, address account) external view returns (bool);

    /// @notice How many names exist.
    function nameCount() external view returns (uint256);

    /// @notice The name at `position` (0-based, in creation order).
    function nameAt(uint256 position) external view returns (string memory);
}
