// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IComplianceRegistry} from "./interfaces/IComplianceRegistry.sol";
import {IConsumptionGateway} from "./interfaces/IConsumptionGateway.sol";
import {IERC4907} from "./interfaces/IERC4907.sol";
import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";
import {IPresaleManager} from "./interfaces/IPresaleManager.sol";
import {IUsageRightToken} from "./interfaces/IUsageRightToken.sol";
import {IWabeiToken} from "./interfaces/IWabeiToken.sol";
import {IWelfareFund} from "./interfaces/IWelfareFund.sol";

/**
 * @title ConsumptionGateway
 * @notice In-system consumption; see IConsumptionGateway. Its address holds the SYSTEM role (to burn usage rights,
 * record redemptions, pay subsidies and mint rebates) and the custodian's ERC-721 approval (to set
 * the house's ERC-4907 user). Its own functions are open to holders, so it needs no authority.
 */
contract ConsumptionGateway is IConsumptionGateway, ReentrancyGuard {
    using Address for address payable;

    /// @notice Length of one night, the unit of a stay.
    uint64 public constant NIGHT = 1 days;
    uint256 private constant _BPS = 10_000;

    struct Contracts {
        IPresaleManager presale;
        IUsageRightToken rights;
        IERC4907 assets;
        IWabeiToken wbt;
        IWelfareFund welfare;
        IMerchantRegistry merchants;
        IComplianceRegistry compliance;
    }

    IPresaleManager private immutable _presale;
    IUsageRightToken private immutable _rights;
    IERC4907 private immutable _assets;
    IWabeiToken private immutable _wbt;
    IWelfareFund private immutable _welfare;
    IMerchantRegistry private immutable _merchants;
    IComplianceRegistry private immutable _compliance;
    uint256 private immutable _rebateBps;
    mapping(uint256 listing => mapping(address holder => uint256)) private _redeemed;

    constructor(Contracts memory c, uint256 rebateBps_) {
        _presale = c.presale;
        _rights = c.rights;
        _assets = c.assets;
        _wbt = c.wbt;
        _welfare = c.welfare;
        _merchants = c.merchants;
        _compliance = c.compliance;
        _rebateBps = rebateBps_;
    }

    /// @inheritdoc IConsumptionGateway
    function redeem(uint256 listing, uint256 units) external nonReentrant returns (uint64 checkout) {
        (uint256 assetId, uint256 price) = _presale.recordRedemption(listing, msg.sender, units);
        address user = _assets.userOf(assetId);
        uint64 expires = uint64(_assets.userExpires(assetId));
        if (user != address(0) && user != msg.sender) revert GatewayAssetOccupied(assetId, user, expires);
        // A holder already staying extends the stay; anyone else starts now.
        uint64 start = user == msg.sender ? expires : uint64(block.timestamp);
        checkout = start + uint64(units) * NIGHT;
        _redeemed[listing][msg.sender] += units;
        _rights.burn(msg.sender, listing, units);
        _assets.setUser(assetId, msg.sender, checkout);
        uint256 rebate = _mintRebate(msg.sender, units * price);
        emit NightsRedeemed(listing, msg.sender, units, assetId, checkout, rebate);
    }

    /// @inheritdoc IConsumptionGateway
    function buyService(uint256 programme, uint256 price, bytes32 serviceRef) external payable nonReentrant {
        _compliance.requireAllowed(msg.sender);
        uint256 listing = _welfare.getProgramme(programme).listing;
        address merchant = _presale.merchantOf(listing);
        _merchants.requireActive(merchant);
        if (IERC1155(address(_rights)).balanceOf(msg.sender, listing) == 0 && _redeemed[listing][msg.sender] == 0) {
            revert GatewayNotEligible(msg.sender, listing);
        }
        uint256 subsidy = _welfare.quoteSubsidy(programme, msg.sender, price);
        if (msg.value != price - subsidy) revert GatewayWrongPayment(price - subsidy, msg.value);
        _welfare.paySubsidy(programme, msg.sender, price, payable(merchant));
        uint256 rebate = _mintRebate(msg.sender, price);
        emit ServicePurchased(programme, msg.sender, merchant, price, subsidy, serviceRef, rebate);
        payable(merchant).sendValue(msg.value);
    }

    /// @inheritdoc IConsumptionGateway
    function redeemedBy(uint256 listing, address holder) external view returns (uint256) {
        return _redeemed[listing][holder];
    }

    /// @inheritdoc IConsumptionGateway
    function rebateBps() external view returns (uint256) {
        return _rebateBps;
    }

    /// @dev Mints `value * rebateBps / 10000` WBT, less if the cap is near, so consumption never fails on the cap.
    function _mintRebate(address to, uint256 value) private returns (uint256 rebate) {
        rebate = value * _rebateBps / _BPS;
        uint256 room = ERC20Capped(address(_wbt)).cap() - IERC20(address(_wbt)).totalSupply();
        if (rebate > room) rebate = room;
        if (rebate > 0) _wbt.mintRebate(to, rebate);
    }
}
