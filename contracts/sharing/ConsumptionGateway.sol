// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
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
 * @notice In-system consumption; see IConsumptionGateway. Its address holds the GATEWAY role (to record
 * redemptions, which burns the units, and mint rebates), is the welfare fund's only subsidy payer, and
 * has the custodian's ERC-721 approval (to set the house's ERC-4907 user). The service catalogue is kept by the OPERATOR role; redeeming and
 * buying are open to holders.
 */
contract ConsumptionGateway is IConsumptionGateway, AccessManaged, ReentrancyGuard {
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
    uint256 private _serviceCount;
    mapping(uint256 listing => mapping(address holder => uint256)) private _redeemed;
    mapping(uint256 serviceId => Service) private _services;

    constructor(address authority, Contracts memory c, uint256 rebateBps_) AccessManaged(authority) {
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
        _assets.setUser(assetId, msg.sender, checkout);
        uint256 rebate = _mintRebate(msg.sender, units * price);
        emit NightsRedeemed(listing, msg.sender, units, assetId, checkout, rebate);
    }

    /// @inheritdoc IConsumptionGateway
    function registerService(uint256 listing, uint256 price, bytes32 descriptionHash)
        external
        restricted
        returns (uint256 serviceId)
    {
        if (price == 0) revert GatewayInvalidService();
        address merchant = _presale.merchantOf(listing); // reverts for an unknown listing
        serviceId = ++_serviceCount;
        _services[serviceId] = Service(listing, merchant, price, descriptionHash, true);
        emit ServiceRegistered(serviceId, listing, merchant, price, descriptionHash);
    }

    /// @inheritdoc IConsumptionGateway
    function retireService(uint256 serviceId) external restricted {
        _activeService(serviceId).active = false;
        emit ServiceRetired(serviceId);
    }

    /// @inheritdoc IConsumptionGateway
    function buyService(uint256 programme, uint256 serviceId) external payable nonReentrant {
        _compliance.requireAllowed(msg.sender);
        Service storage s = _activeService(serviceId);
        uint256 listing = _welfare.getProgramme(programme).listing;
        if (s.listing != listing) revert GatewayServiceMismatch(serviceId, programme);
        address merchant = s.merchant;
        // A merchant buying its own service would turn the subsidy into a payment to itself.
        if (msg.sender == merchant) revert GatewaySelfDealing(msg.sender);
        _merchants.requireActive(merchant);
        // Only redeemed (burnt) units count: held units can be passed from address to address.
        if (_redeemed[listing][msg.sender] == 0) revert GatewayNotEligible(msg.sender, listing);
        uint256 price = s.price;
        uint256 subsidy = _welfare.quoteSubsidy(programme, msg.sender, price);
        if (msg.value != price - subsidy) revert GatewayWrongPayment(price - subsidy, msg.value);
        _welfare.paySubsidy(programme, msg.sender, price, payable(merchant));
        // The rebate rewards the holder's own spending, not the fund's.
        uint256 rebate = _mintRebate(msg.sender, msg.value);
        emit ServicePurchased(programme, serviceId, msg.sender, merchant, price, subsidy, rebate);
        payable(merchant).sendValue(msg.value);
    }

    /// @inheritdoc IConsumptionGateway
    function getService(uint256 serviceId) external view returns (Service memory) {
        if (serviceId == 0 || serviceId > _serviceCount) revert GatewayUnknownService(serviceId);
        return _services[serviceId];
    }

    /// @inheritdoc IConsumptionGateway
    function redeemedBy(uint256 listing, address holder) external view returns (uint256) {
        return _redeemed[listing][holder];
    }

    /// @inheritdoc IConsumptionGateway
    function rebateBps() external view returns (uint256) {
        return _rebateBps;
    }

    function _activeService(uint256 serviceId) private view returns (Service storage s) {
        s = _services[serviceId];
        if (!s.active) revert GatewayUnknownService(serviceId);
    }

    /// @dev Mints `value * rebateBps / 10000` WBT, less if the cap is near, so consumption never fails on the cap.
    function _mintRebate(address to, uint256 value) private returns (uint256 rebate) {
        rebate = value * _rebateBps / _BPS;
        uint256 room = ERC20Capped(address(_wbt)).cap() - IERC20(address(_wbt)).totalSupply();
        if (rebate > room) rebate = room;
        if (rebate > 0) _wbt.mintRebate(to, rebate);
    }
}
