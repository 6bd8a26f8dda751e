// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title TestToken
 * @notice An OpenZeppelin ERC-20 plus helpers that make the devnet test suite's
 * failure modes (revert reasons, custom errors, panics) and block context easy to hit.
 * @dev FOR TESTS ONLY: `mint` is open to every caller, so the supply means nothing.
 */
contract TestToken is ERC20 {
    /**
     * @notice Custom error the test suite decodes from revert data.
     * @param have The amount the caller claims to have.
     * @param want The amount the caller claims to need.
     */
    error InsufficientThing(uint256 have, uint256 want);

    /**
     * @notice Emitted by `emitPing`, to exercise logs with indexed and non-indexed fields.
     * @param from The caller of `emitPing`.
     * @param value The value passed to `emitPing`.
     * @param note A fixed string, so the data section holds a dynamic type.
     */
    event Ping(address indexed from, uint256 indexed value, string note);

    /**
     * @notice Deploys the token and mints `initialSupply` base units to the deployer.
     * @param name_ The ERC-20 name.
     * @param symbol_ The ERC-20 symbol.
     * @param initialSupply Amount minted to `msg.sender`, in base units (18 decimals).
     */
    constructor(string memory name_, string memory symbol_, uint256 initialSupply) ERC20(name_, symbol_) {
        _mint(msg.sender, initialSupply);
    }

    /**
     * @notice Mints `amount` base units to `to`. Anyone may call: this is a test token
     * and its supply carries no value.
     * @param to The recipient; the zero address reverts with `ERC20InvalidReceiver`.
     * @param amount Amount in base units.
     */
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /**
     * @notice Always reverts with the string reason "TestToken: boom" (an `Error(string)`).
     */
    function failWithReason() external pure {
        // A string reason on purpose: the suite checks Error(string) decoding.
        require(false, "TestToken: boom");
    }

    /**
     * @notice Always reverts with the custom error `InsufficientThing(have, want)`.
     * @param have Echoed into the error's first field.
     * @param want Echoed into the error's second field.
     */
    function failWithCustomError(uint256 have, uint256 want) external pure {
        revert InsufficientThing(have, want);
    }

    /**
     * @notice Always reverts with `Panic(0x12)` (division by zero).
     * @dev The divisor comes through a function argument so the compiler cannot reject
     * `1 / 0` at compile time; at run time checked division panics with code 0x12.
     * @return Never returns.
     */
    function failWithPanic() external pure returns (uint256) {
        return _divide(1, 0);
    }

    /**
     * @notice Emits `Ping(msg.sender, value, "ping")`.
     * @param value Indexed into the event's second topic.
     */
    function emitPing(uint256 value) external {
        emit Ping(msg.sender, value, "ping");
    }

    /**
     * @notice The current block's timestamp, to test time travel (`evm_increaseTime` etc.).
     * @return The block timestamp in seconds since the Unix epoch.
     */
    function currentTime() external view returns (uint256) {
        return block.timestamp;
    }

    /**
     * @notice The current block's number, as seen by a call or transaction.
     * @return The block number.
     */
    function blockNumber() external view returns (uint256) {
        return block.number;
    }

    function _divide(uint256 numerator, uint256 denominator) private pure returns (uint256) {
        return numerator / denominator;
    }
}
