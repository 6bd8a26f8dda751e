// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IComplianceRegistry} from "./interfaces/IComplianceRegistry.sol";
import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";

/**
 * @title MerchantRegistry
 * @notice Merchant admission (OPERATOR role), status and open-listing count (PRESALE role).
 */
contract MerchantRegistry is IMerchantRegistry, AccessManaged {
    /// @notice KYC level a merchant needs.
    uint8 public constant MERCHANT_KYC_LEVEL = 2;

    IComplianceRegistry private immutable _compliance;
    mapping(address account => MerchantStatus) private _status;
    mapping(address account => uint256) private _openListings;

    constructor(address authority, IComplianceRegistry compliance) AccessManaged(authority) {
        _compliance = compliance;
    }

    /// @inheritdoc IMerchantRegistry
    function registerMerchant(address account, bytes32 profileHash) external restricted {
        if (_status[account] != MerchantStatus.None) revert MerchantAlreadyRegistered(account);
        _compliance.requireKyc(account, MERCHANT_KYC_LEVEL);
        _status[account] = MerchantStatus.Active;
        emit MerchantRegistered(account, profileHash);
    }

    /// @inheritdoc IMerchantRegistry
    function markDefaulted(address account) external restricted {
        _status[account] = MerchantStatus.Defaulted;
        emit MerchantDefaulted(account);
    }

    /// @inheritdoc IMerchantRegistry
    function listingOpened(address account) external restricted {
        emit OpenListingsChanged(account, ++_openListings[account]);
    }

    /// @inheritdoc IMerchantRegistry
    function listingClosed(address account) external restricted {
        emit OpenListingsChanged(account, --_openListings[account]);
    }

    /// @inheritdoc IMerchantRegistry
    function statusOf(address account) external view returns (MerchantStatus) {
        return _status[account];
    }

    /// @inheritdoc IMerchantRegistry
    function openListingsOf(address account) external view returns (uint256) {
        return _openListings[account];
    }

    /// @inheritdoc IMerchantRegistry
    function requireActive(address account) external view {
        if (_status[account] != MerchantStatus.Active) revert MerchantNotActive(account);
    }
}
