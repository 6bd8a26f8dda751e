// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IWabeiToken
 * @notice WBT, the platform token: minted only as consumption rebates, up to a fixed cap.
 */
interface IWabeiToken {
    /// @notice Emitted after `amount` WBT were minted to `to` as a rebate.
    event RebateMinted(address indexed to, uint256 amount);

    /// @notice Mints a rebate of `amount` to `to`; reverts above the cap. Caller: GATEWAY role (the consumption gateway).
    function mintRebate(address to, uint256 amount) external;
}
