// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title TraceLeaf
 * @notice The callee of TraceNest: a storage write and a revert, for the
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

    /// @notice CREATEs a leaf, CREATE2s (with `salt`) a contract whose whole code is
    /// ORIGIN SELFDESTRUCT, and calls it: it destroys itself (it was created in this
    /// transaction), sending its zero balance to tx.origin. Solidity's `selfdestruct` is
    /// deprecated with a compiler warning, which the build refuses, hence the raw code.
    function spawn(bytes32 salt) external returns (address a, address b) {
        a = address(new TraceLeaf());
        // PUSH2 0x32ff PUSH1 0 MSTORE PUSH1 2 PUSH1 30 RETURN: deploys the two bytes 0x32ff
        bytes memory init = hex"6132ff6000526002601ef3";
        assembly {
            b := create2(0, add(init, 32), mload(init), salt)
        }
        require(b != address(0), "create2 failed");
        (bool ok, ) = b.call("");
        require(ok, "selfdestruct call failed");
    }
}
