// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Wabei's interception precompile, at 0x0000000000000000000000000000000000001010
/// @notice The regulator's rules, enforced on every message frame (top-level and internal). FISCO
/// BCOS has no such precompile. A frame a rule matches reverts with a reason starting
/// "Regulation: ", and the transaction's receipt carries an `Intercepted` log from this address
/// even when the transaction failed. A refusal of a call below reverts with a reason.
interface RegulationPrecompiled {
    /// @notice Appoint or remove a regulator. The chain's governors only. Returns 0.
    function setRegulator(address account, bool enabled) external returns (int32);
    /// @notice Refuse `account` as any frame's sender or target. Regulators only. Returns 0.
    function setAddressBlocked(address account, bool blocked) external returns (int32);
    /// @notice Refuse calls of `selector` on `contractAddr`. Regulators only. Returns 0.
    function setMethodBlocked(address contractAddr, bytes4 selector, bool blocked) external returns (int32);
    /// @notice Value above `threshold` needs KYC level `minLevel` (0 removes the rule). `token`
    /// 0 = ether value of any frame; otherwise the ERC-20's transfer/transferFrom amounts.
    function setValueThreshold(address token, uint256 threshold, uint8 minLevel) external returns (int32);

    function isRegulator(address account) external view returns (bool);
    function regulators() external view returns (address[] memory);
    function isAddressBlocked(address account) external view returns (bool);
    function blockedAddresses() external view returns (address[] memory);
    function isMethodBlocked(address contractAddr, bytes4 selector) external view returns (bool);
    function blockedMethods() external view returns (address[] memory contracts, bytes4[] memory selectors);
    /// @notice (threshold, minLevel); (0, 0) when `token` has no rule.
    function getValueThreshold(address token) external view returns (uint256, uint8);
    function valueThresholds() external view returns (address[] memory, uint256[] memory, uint8[] memory);

    event RegulatorUpdated(address indexed account, bool enabled);
    event AddressBlocked(address indexed account, bool blocked);
    event MethodBlocked(address indexed contractAddr, bytes4 selector, bool blocked);
    event ValueThresholdSet(address indexed token, uint256 threshold, uint8 minLevel);
    /// @notice One interception. rule: 1 blocked sender, 2 blocked target, 3 blocked method,
    /// 4 ether above threshold without KYC, 5 token amount above threshold without KYC.
    event Intercepted(address indexed origin, address indexed target, uint8 indexed rule, address sender,
                      bytes4 selector, uint256 amount, string reason);
}
