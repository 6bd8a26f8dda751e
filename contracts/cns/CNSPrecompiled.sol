// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FISCO BCOS's CNS precompile interface, at 0x0000000000000000000000000000000000001004
/// @notice Same functions and signatures as FISCO BCOS v2's `CNSPrecompiled`, so FISCO-style
/// Solidity runs unchanged on Wabei. Differences: a refused `insert` reverts with a reason
/// (FISCO returns a negative code); `getContractAddress` reverts for an unknown name or version
/// (FISCO returns the zero address); names are case-insensitive ENS labels.
interface CNSPrecompiled {
    /// @notice Publish `addr` as version `version` of `name` with its JSON `abi`. Anyone may publish
    /// a new name and becomes its owner; later versions only by the owner or an authorised account.
    /// @return 1 (rows inserted, as FISCO)
    function insert(string memory name, string memory version, string memory addr, string memory abi)
        external
        returns (uint256);

    /// @notice All versions of `name` as a JSON array of {name, version, address, abi}, oldest first.
    function selectByName(string memory name) external view returns (string memory);

    /// @notice One version of `name` (empty `version` = latest) as a JSON array of zero or one entry.
    function selectByNameAndVersion(string memory name, string memory version) external view returns (string memory);

    /// @notice The address of `name` at `version` (empty = latest); reverts if there is none.
    function getContractAddress(string memory name, string memory version) external view returns (address);
}
