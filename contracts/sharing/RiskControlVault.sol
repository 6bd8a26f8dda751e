// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";
import {IRiskControlVault} from "./interfaces/IRiskControlVault.sol";

/**
 * @title RiskControlVault
 * @notice Holds each merchant's bond and records its pledged share units. Pledges and release:
 * OPERATOR role. Bonds: the merchant. Minimum: ADMIN role. Seizure: PRESALE role (the presale).
 */
contract RiskControlVault is IRiskControlVault, AccessManaged, ReentrancyGuard {
    using Address for address payable;

    struct Stake {
        uint256 shareUnits;
        uint256 bond;
        bool seized;
    }

    IMerchantRegistry private immutable _merchants;
    uint256 private _minShareUnits;
    uint256 private _minBond;
    mapping(address merchant => Stake) private _stakes;

    constructor(address authority, IMerchantRegistry merchants, uint256 minShareUnits, uint256 minBond)
        AccessManaged(authority)
    {
        _merchants = merchants;
        _minShareUnits = minShareUnits;
        _minBond = minBond;
        emit MinimumStakeUpdated(minShareUnits, minBond);
    }

    /// @inheritdoc IRiskControlVault
    function recordPledge(address merchant, uint256 shareUnits) external restricted {
        _merchants.requireActive(merchant);
        Stake storage stake = _stakes[merchant];
        if (stake.seized) revert RiskStakeSeized(merchant);
        stake.shareUnits += shareUnits;
        emit SharesPledged(merchant, shareUnits, stake.shareUnits);
    }

    /// @inheritdoc IRiskControlVault
    function postBond() external payable {
        _merchants.requireActive(msg.sender);
        Stake storage stake = _stakes[msg.sender];
        if (stake.seized) revert RiskStakeSeized(msg.sender);
        stake.bond += msg.value;
        emit BondPosted(msg.sender, msg.value, stake.bond);
    }

    /// @inheritdoc IRiskControlVault
    function setMinimumStake(uint256 shareUnits, uint256 bond) external restricted {
        _minShareUnits = shareUnits;
        _minBond = bond;
        emit MinimumStakeUpdated(shareUnits, bond);
    }

    /// @inheritdoc IRiskControlVault
    function seize(address merchant) external restricted nonReentrant returns (uint256 bond) {
        Stake storage stake = _stakes[merchant];
        // A second default of the same merchant finds nothing left; it must still close its listing.
        if (stake.seized) return 0;
        bond = stake.bond;
        stake.seized = true;
        stake.bond = 0;
        emit StakeSeized(merchant, msg.sender, stake.shareUnits, bond);
        payable(msg.sender).sendValue(bond);
    }

    /// @inheritdoc IRiskControlVault
    function release(address merchant) external restricted nonReentrant {
        Stake memory stake = _stakes[merchant];
        if (stake.seized) revert RiskStakeSeized(merchant);
        uint256 open = _merchants.openListingsOf(merchant);
        if (open != 0) revert RiskStakeLocked(merchant, open);
        delete _stakes[merchant];
        emit StakeReleased(merchant, stake.shareUnits, stake.bond);
        payable(merchant).sendValue(stake.bond);
    }

    /// @inheritdoc IRiskControlVault
    function stakeOf(address merchant) external view returns (uint256 shareUnits, uint256 bond, bool seized) {
        Stake memory stake = _stakes[merchant];
        return (stake.shareUnits, stake.bond, stake.seized);
    }

    /// @inheritdoc IRiskControlVault
    function minimumStake() external view returns (uint256 shareUnits, uint256 bond) {
        return (_minShareUnits, _minBond);
    }

    /// @inheritdoc IRiskControlVault
    function requireMinimumStake(address merchant) external view {
        Stake memory stake = _stakes[merchant];
        if (stake.seized) revert RiskStakeSeized(merchant);
        if (stake.shareUnits < _minShareUnits || stake.bond < _minBond) {
            revert RiskStakeBelowMinimum(merchant, stake.shareUnits, stake.bond);
        }
    }
}
