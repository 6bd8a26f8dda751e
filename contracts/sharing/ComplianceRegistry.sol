// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IComplianceRegistry} from "./interfaces/IComplianceRegistry.sol";

/**
 * @title ComplianceRegistry
 * @notice Per-account restriction and KYC level. Writes: REGULATOR role. Reads: anyone.
 */
contract ComplianceRegistry is IComplianceRegistry, AccessManaged {
    mapping(address account => Restriction) private _restrictions;
    mapping(address account => uint8) private _kycLevels;

    constructor(address authority) AccessManaged(authority) {}

    /// @inheritdoc IComplianceRegistry
    function setRestriction(address account, Restriction restriction) external restricted {
        _restrictions[account] = restriction;
        emit RestrictionUpdated(account, restriction);
    }

    /// @inheritdoc IComplianceRegistry
    function setKycLevel(address account, uint8 level) external restricted {
        _kycLevels[account] = level;
        emit KycLevelUpdated(account, level);
    }

    /// @inheritdoc IComplianceRegistry
    function restrictionOf(address account) external view returns (Restriction) {
        return _restrictions[account];
    }

    /// @inheritdoc IComplianceRegistry
    function kycLevelOf(address account) external view returns (uint8) {
        return _kycLevels[account];
    }

    /// @inheritdoc IComplianceRegistry
    function isAllowed(address account) public view returns (bool) {
        return _restrictions[account] != Restriction.Blocked;
    }

    /// @inheritdoc IComplianceRegistry
    function requireAllowed(address account) public view {
        if (!isAllowed(account)) revert ComplianceBlocked(account);
    }

    /// @inheritdoc IComplianceRegistry
    function requireKyc(address account, uint8 level) external view {
        requireAllowed(account);
        uint8 have = _kycLevels[account];
        if (have < level) revert ComplianceKycTooLow(account, have, level);
    }
}
