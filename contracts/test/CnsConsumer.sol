// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {CNSPrecompiled} from "../cns/CNSPrecompiled.sol";

/// @notice A FISCO-style contract that publishes itself and looks others up through the CNS
/// precompile, the way FISCO BCOS contracts do. Used by the CNS integration tests.
contract CnsConsumer {
    CNSPrecompiled private constant CNS = CNSPrecompiled(address(0x1004));

    /// @notice Publish this contract as `name`@`version`. Anyone may call it; this contract
    /// becomes the owner of a new name.
    function publishSelf(string calldata name, string calldata version, string calldata abiJson)
        external
        returns (uint256)
    {
        return CNS.insert(name, version, Strings.toHexString(address(this)), abiJson);
    }

    /// @notice Publish another contract `addr` (a 0x-hex string) as `name`@`version`.
    function publish(string calldata name, string calldata version, string calldata addr, string calldata abiJson)
        external
        returns (uint256)
    {
        return CNS.insert(name, version, addr, abiJson);
    }

    /// @notice The address of `name`@`version` as the CNS reports it.
    function lookup(string calldata name, string calldata version) external view returns (address) {
        return CNS.getContractAddress(name, version);
    }

    /// @notice Every version of `name` as the CNS's JSON.
    function listing(string calldata name) external view returns (string memory) {
        return CNS.selectByName(name);
    }

    /// @notice One version of `name` as the CNS's JSON.
    function listingOf(string calldata name, string calldata version) external view returns (string memory) {
        return CNS.selectByNameAndVersion(name, version);
    }

    /// @notice Whether `insert` succeeds inside a STATICCALL (it must not: it writes state).
    function insertSucceedsInStaticCall(string calldata name, string calldata version) external view returns (bool) {
        bytes memory data = abi.encodeCall(CNS.insert, (name, version, Strings.toHexString(address(this)), "[]"));
        (bool ok,) = address(CNS).staticcall(data);
        return ok;
    }

    /// @notice Whether `insert` succeeds through DELEGATECALL (it must not: the CNS would see this
    /// contract's caller as the publisher).
    function insertSucceedsByDelegatecall(string calldata name, string calldata version) external returns (bool) {
        bytes memory data = abi.encodeCall(CNS.insert, (name, version, Strings.toHexString(address(this)), "[]"));
        (bool ok,) = address(CNS).delegatecall(data);
        return ok;
    }
}
