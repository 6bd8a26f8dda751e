// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FISCO BCOS v3's ContractAuthPrecompiled, at 0x0000000000000000000000000000000000001005
/// @notice Deploy authorisation, per-contract method ACLs by selector, contract admins and status.
/// Auth types: 0 open, 1 white list, 2 black list. Contract status: 0 normal, 1 frozen, 2 abolished.
/// Checks apply to tx.origin in every frame (as FISCO). Functions returning int256 return 0; a
/// refusal reverts with a reason naming FISCO's code.
interface ContractAuthPrecompiled {
    /// @notice The contract's admin: tx.origin of its deployment on a governed chain, else zero.
    function getAdmin(address contractAddr) external view returns (address);
    /// @notice Give `contractAddr` a new admin. Governors only.
    function resetAdmin(address contractAddr, address admin) external returns (int256);

    /// @notice Set the auth type (0, 1, 2) of one selector. The contract's admin or a governor.
    function setMethodAuthType(address contractAddr, bytes4 func, uint8 authType) external returns (int256);
    /// @notice Admit `account` to `func` (white list) or take it off the black list.
    function openMethodAuth(address contractAddr, bytes4 func, address account) external returns (int256);
    /// @notice Take `account` off the white list, or put it on the black list.
    function closeMethodAuth(address contractAddr, bytes4 func, address account) external returns (int256);
    /// @notice Whether `account` may call `func` on `contractAddr`.
    function checkMethodAuth(address contractAddr, bytes4 func, address account) external view returns (bool);
    /// @notice (auth type, accounts admitted, accounts refused) of one selector.
    function getMethodAuth(address contractAddr, bytes4 func)
        external view returns (uint8, string[] memory, string[] memory);

    /// @notice Freeze (true) or unfreeze (false). The contract's admin or a governor.
    function setContractStatus(address contractAddr, bool isFreeze) external returns (int256);
    /// @notice 0 normal, 1 frozen (admin or governor), 2 abolished (governors; final).
    function setContractStatus(address contractAddr, uint8 status) external returns (int256);
    /// @notice Whether the contract's status is normal.
    function contractAvailable(address contractAddr) external view returns (bool);

    /// @notice 0 open, 1 white list, 2 black list.
    function deployType() external view returns (uint256);
    /// @notice Set the deploy auth type. Governors only.
    function setDeployAuthType(uint8 authType) external returns (int256);
    /// @notice Admit `account` to deploy (white list) or take it off the black list. Governors only.
    function openDeployAuth(address account) external returns (int256);
    /// @notice The reverse of openDeployAuth. Governors only.
    function closeDeployAuth(address account) external returns (int256);
    /// @notice Whether `account` may deploy.
    function hasDeployAuth(address account) external view returns (bool);

    /// @notice Wabei addition: the contract's status (0, 1, 2).
    function contractStatus(address contractAddr) external view returns (uint8);
    /// @notice Wabei addition: the chain's governors (the committee, then the chain admin if any).
    function governors() external view returns (address[] memory);

    event DeployAuthTypeSet(uint8 authType);
    event DeployAuthChanged(address indexed account, bool open);
    event MethodAuthTypeSet(address indexed contractAddr, bytes4 func, uint8 authType);
    event MethodAuthChanged(address indexed contractAddr, bytes4 func, address indexed account, bool open);
    event ContractStatusChanged(address indexed contractAddr, uint8 status);
    event AdminReset(address indexed contractAddr, address admin);
}
