// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IUsageRightToken
 * @notice Usage rights as ERC-1155 units (token id = presale listing id, one unit = one use,
 * e.g. one night), with the ERC-7943 shape for regulated assets: per-account frozen amounts
 * and a regulator's forced transfer.
 */
interface IUsageRightToken {
    /// @notice Units of listing `id` cannot change hands yet (the sale has not succeeded).
    error UsageRightNotTransferable(uint256 id);
    /// @notice `account` tried to move `amount` of `id` but only `unfrozen` are not frozen.
    error UsageRightInsufficientUnfrozen(address account, uint256 id, uint256 amount, uint256 unfrozen);

    /// @notice Emitted after units of listing `id` became transferable.
    event TransfersUnlocked(uint256 indexed id);
    /// @notice Emitted after a holder donated units with a memo.
    event Donated(address indexed from, address indexed to, uint256 indexed id, uint256 amount, string memo);
    /// @notice Emitted after the regulator set `account`'s frozen amount of `id` (ERC-7943 `Frozen`).
    event FrozenAmountSet(address indexed account, uint256 indexed id, uint256 amount);
    /// @notice Emitted after the regulator forced a transfer (ERC-7943 `ForcedTransfer`).
    event TransferForced(address indexed from, address indexed to, uint256 indexed id, uint256 amount);

    /// @notice Mints `amount` units of `id` to `to`. Caller: PRESALE role (the presale).
    function mint(address to, uint256 id, uint256 amount) external;

    /// @notice Burns `amount` units of `id` held by `from`; frozen units cannot be burnt.
    /// Caller: PRESALE role (the presale on refund, buyback and redemption).
    function burn(address from, uint256 id, uint256 amount) external;

    /// @notice Lets units of `id` change hands from now on. Caller: PRESALE role (the presale, when a sale succeeds).
    function unlock(uint256 id) external;

    /// @notice Gives `amount` units of `id` to `to` with a public `memo`. Caller: any holder.
    function donate(address to, uint256 id, uint256 amount, string calldata memo) external;

    /// @notice Sets how many of `account`'s units of `id` are frozen (may exceed the balance). Caller: REGULATOR role.
    function setFrozenTokens(address account, uint256 id, uint256 amount) external;

    /// @notice Moves units regardless of freezes and the transfer lock; `to` must still be allowed.
    /// Frozen amounts above the remaining balance are reduced to it. No ERC-1155 receiver hook is called
    /// (a forced move needs no consent and must not hand control to the receiver). Caller: REGULATOR role.
    function forcedTransfer(address from, address to, uint256 id, uint256 amount) external;

    /// @notice Units of `id` frozen for `account`. Anyone may call.
    function getFrozenTokens(address account, uint256 id) external view returns (uint256);

    /// @notice Whether units of `id` may change hands. Anyone may call.
    function isTransferable(uint256 id) external view returns (bool);

    /// @notice Whether `account` may send or receive at all (ERC-7943). Anyone may call.
    function canTransact(address account) external view returns (bool);

    /// @notice Whether an ordinary transfer of `amount` units of `id` from `from` to `to` would pass (ERC-7943). Anyone may call.
    function canTransfer(address from, address to, uint256 id, uint256 amount) external view returns (bool);
}
