// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IComplianceRegistry} from "./interfaces/IComplianceRegistry.sol";
import {IWabeiToken} from "./interfaces/IWabeiToken.sol";

/**
 * @title WabeiToken
 * @notice WBT: ERC-20 with EIP-2612 permit and a hard cap, minted only as consumption rebates
 * (GATEWAY role, held by the consumption gateway). Holders transfer freely unless the ComplianceRegistry blocks either side.
 */
contract WabeiToken is IWabeiToken, ERC20, ERC20Permit, ERC20Capped, AccessManaged {
    IComplianceRegistry private immutable _compliance;

    constructor(address authority, IComplianceRegistry compliance, uint256 cap_)
        ERC20("Wabei Token", "WBT")
        ERC20Permit("Wabei Token")
        ERC20Capped(cap_)
        AccessManaged(authority)
    {
        _compliance = compliance;
    }

    /// @inheritdoc IWabeiToken
    function mintRebate(address to, uint256 amount) external restricted {
        _mint(to, amount);
        emit RebateMinted(to, amount);
    }

    function _update(address from, address to, uint256 value) internal virtual override(ERC20, ERC20Capped) {
        if (from != address(0)) _compliance.requireAllowed(from);
        if (to != address(0)) _compliance.requireAllowed(to);
        // A blocked spender cannot move someone else's WBT through an allowance either.
        if (from != address(0) && _msgSender() != from) _compliance.requireAllowed(_msgSender());
        super._update(from, to, value);
    }
}
