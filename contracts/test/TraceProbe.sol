// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title TraceChild
 * @notice The callee of TraceProbe: stores a value and logs it, answers a view, reverts on demand.
 * Its `stored` is slot 0, like TraceProbe's `total`, so a DELEGATECALL into `store` writes the
 * caller's `total`.
 */
contract TraceChild {
    /// @notice The last value `store` wrote.
    uint256 public stored;

    /**
     * @notice Emitted after every store.
     * @param value The value written.
     */
    event Stored(uint256 value);

    /// @notice Payable, so a creator can endow the child with value.
    constructor() payable {}

    /**
     * @notice Writes `value` to slot 0 and logs it. Anyone may call, with or without value.
     * @param value The value to store.
     */
    function store(uint256 value) external payable {
        stored = value;
        emit Stored(value);
    }

    /**
     * @notice Always reverts with `Error(reason)`.
     * @param reason The revert reason.
     */
    function fail(string calldata reason) external pure {
        revert(reason);
    }
}

/**
 * @title TraceProbe
 * @notice One transaction that touches every kind of frame a tracer reports, for comparing
 * Wabei's debug_trace* answers with geth's and Hardhat's (tests/integration/test_geth_trace_parity.py).
 */
contract TraceProbe {
    /// @notice Slot 0: read and written by `probe`, and written through a DELEGATECALL.
    uint256 public total;

    /**
     * @notice Emitted at the end of `probe`.
     * @param created The child made with CREATE.
     * @param digest sha256 of the child's stored value.
     * @param signer What ecrecover returned.
     */
    event Probed(address indexed created, bytes32 digest, address signer);

    /**
     * @notice Emitted at the end of `misfire`.
     * @param sent Whether the CALL with too much value succeeded (never).
     * @param created Whether either create succeeded (never).
     */
    event Misfired(bool sent, bool created);

    /// @notice Payable, so the deployment carries value.
    constructor() payable {}

    /**
     * @notice CREATE (with value) and CREATE2 a child each, CALL one with value, DELEGATECALL the
     * other, STATICCALL a view, reset a slot (a refund), catch an inner revert, call the sha256
     * and ecrecover precompiles, SLOAD/SSTORE, send 1 wei back to the caller and log. Runs once per deployment (the CREATE2
     * salt is fixed). Needs at least 4 wei in the contract or sent along.
     * @param hash, v, r, s An ECDSA signature for ecrecover.
     * @return digest sha256 of the value read back through the STATICCALL.
     */
    function probe(bytes32 hash, uint8 v, bytes32 r, bytes32 s) external payable returns (bytes32 digest) {
        TraceChild plain = new TraceChild{value: 1}();
        TraceChild salted = new TraceChild{salt: bytes32(uint256(7))}();
        plain.store{value: 2}(total + 1);
        (bool ok, ) = address(salted).delegatecall(abi.encodeCall(TraceChild.store, (5)));
        require(ok, "TraceProbe: delegatecall failed");
        uint256 seen = plain.stored();
        plain.store(0); // back to the slot's original value in this transaction: a refund
        try plain.fail("TraceProbe: inner") {} catch {}
        digest = sha256(abi.encodePacked(seen));
        address signer = ecrecover(hash, v, r, s);
        total += seen;
        payable(msg.sender).transfer(1);
        emit Probed(address(plain), digest, signer);
    }

    /**
     * @notice Three child frames that fail before they start, each caught: a CALL and a CREATE
     * with one wei more than this contract holds, then a CREATE2 of `probe`'s salted child again
     * (same salt, same init code: its address is taken). Call it after `probe`. The collision
     * burns the 63/64 of the gas it forwards, so it comes last.
     * @param to Where the CALL tries to send the value.
     */
    function misfire(address payable to) external {
        uint256 tooMuch = address(this).balance + 1;
        (bool sent, ) = to.call{value: tooMuch}("");
        bool created;
        try new TraceChild{value: tooMuch}() returns (TraceChild) { created = true; } catch {}
        try new TraceChild{salt: bytes32(uint256(7))}() returns (TraceChild) { created = true; } catch {}
        emit Misfired(sent, created);
    }

    /// @notice Always reverts with `Error("TraceProbe: boom")`.
    function boom() external pure {
        revert("TraceProbe: boom");
    }

    /**
     * @notice `a / b`; `b == 0` is Panic(0x12).
     * @param a The dividend.
     * @param b The divisor.
     * @return The quotient.
     */
    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }
}
