// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title TraceLeaf
 * @notice The callee of TraceNest: a storage write, a revert and a selfdestruct, for the
 * Parity-style trace tests (trace_*). Its first slot lines up with TraceNest's, so a
 * DELEGATECALL to `set` writes TraceNest's `stored`.
 */
contract TraceLeaf {
    uint256 public stored;

    /// @notice Stores `v` and returns twice it. Anyone may call, with or without value.
    function set(uint256 v) external payable returns (uint256) {
        stored = v;
        return v * 2;
    }

    /// @notice Always reverts with the reason "leaf: no".
    function fail() external pure {
        revert("leaf: no");
    }

    /// @notice Destroys this contract (since Cancun, only if it was created in the same
    /// transaction), sending its balance to `to`.
    function destroy(address payable to) external {
        selfdestruct(to);
    }
}

/**
 * @title TraceNest
 * @notice Nested frames of every kind in one transaction each: `nest` makes a precompile call,
 * a CALL with value, a reverted CALL caught by try/catch and a DELEGATECALL; `spawn` makes a
 * CREATE, a CREATE2 and a SELFDESTRUCT inside a call.
 */
contract TraceNest {
    uint256 public stored;
    TraceLeaf public leaf;

    constructor() {
        leaf = new TraceLeaf();
    }

    /// @notice sha256 (a precompile), leaf.set{value}, leaf.fail (reverts, caught), then a
    /// DELEGATECALL of leaf.set(v + 1). Returns what the first leaf.set returned.
    function nest(uint256 v) external payable returns (uint256 r) {
        stored = uint256(sha256(abi.encode(v)));
        r = leaf.set{value: msg.value}(v);
        try leaf.fail() {} catch {}
        (bool ok, ) = address(leaf).delegatecall(abi.encodeCall(TraceLeaf.set, (v + 1)));
        require(ok, "delegatecall failed");
    }

    /// @notice CREATEs a leaf, CREATE2s another with `salt`, and has the second destroy itself,
    /// sending its (zero) balance to the caller.
    function spawn(bytes32 salt) external returns (address a, address b) {
        a = address(new TraceLeaf());
        b = address(new TraceLeaf{salt: salt}());
        TraceLeaf(b).destroy(payable(msg.sender));
    }
}
