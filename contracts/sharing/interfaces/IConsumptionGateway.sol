// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IConsumptionGateway
 * @notice Where usage rights are consumed: redeeming nights burns units, makes the redeemer the
 * house's ERC-4907 user until checkout and mints a WBT rebate; buying a service from the operator's
 * catalogue under a welfare programme splits the catalogue price between the holder and the fund
 * while the merchant gets it all.
 *
 * Subsidy eligibility is tied to units redeemed (burnt), never to units merely held: a programme's
 * per-unit cap times the units of its listing the holder has redeemed bounds what the holder can
 * receive from it. Redeemed units cannot move, so passing units through many addresses creates no
 * new allowance. The WBT rebate on a service is paid only on what the holder itself paid.
 */
interface IConsumptionGateway {
    /// @notice The house `assetId` is used by `user` until `expires`.
    error GatewayAssetOccupied(uint256 assetId, address user, uint256 expires);
    /// @notice `holder` has not redeemed any unit of `listing`.
    error GatewayNotEligible(address holder, uint256 listing);
    /// @notice `paid` wei were sent where exactly `expected` were required.
    error GatewayWrongPayment(uint256 expected, uint256 paid);
    /// @notice No active catalogue entry has id `serviceId`.
    error GatewayUnknownService(uint256 serviceId);
    /// @notice Service `serviceId` belongs to another listing than programme `programme`.
    error GatewayServiceMismatch(uint256 serviceId, uint256 programme);
    /// @notice `holder` is the service's merchant and cannot buy from itself.
    error GatewaySelfDealing(address holder);
    /// @notice A catalogue entry needs a non-zero price.
    error GatewayInvalidService();

    /// @notice A catalogue entry: a merchant's service at a fixed price in wei, for holders of `listing`.
    struct Service {
        uint256 listing;
        address merchant;
        uint256 price;
        bytes32 descriptionHash;
        bool active;
    }

    /// @notice Emitted after a holder redeemed nights and got the house until checkout.
    event NightsRedeemed(uint256 indexed listing, address indexed holder, uint256 units, uint256 indexed assetId, uint64 checkout, uint256 rebate);
    /// @notice Emitted after the operator added a service to the catalogue.
    event ServiceRegistered(uint256 indexed serviceId, uint256 indexed listing, address indexed merchant, uint256 price, bytes32 descriptionHash);
    /// @notice Emitted after the operator withdrew a service from the catalogue.
    event ServiceRetired(uint256 indexed serviceId);
    /// @notice Emitted after a holder bought a catalogue service, partly subsidised.
    event ServicePurchased(uint256 indexed programme, uint256 indexed serviceId, address indexed holder, address merchant, uint256 price, uint256 subsidy, uint256 rebate);

    /// @notice Redeems `units` nights of `listing`: burns them, sets the caller as the house's user until
    /// checkout (now, or the caller's current checkout, plus `units` days) and mints the WBT rebate.
    /// Caller: any holder, inside the listing's redemption window, while the house is free or theirs.
    function redeem(uint256 listing, uint256 units) external returns (uint64 checkout);

    /// @notice Adds a service of `listing`'s merchant at `price` wei to the catalogue; returns its id.
    /// Caller: OPERATOR role.
    function registerService(uint256 listing, uint256 price, bytes32 descriptionHash) external returns (uint256 serviceId);

    /// @notice Withdraws a service from the catalogue. Caller: OPERATOR role.
    function retireService(uint256 serviceId) external;

    /// @notice Buys catalogue service `serviceId` under `programme`; the caller sends price - subsidy,
    /// the welfare fund pays the subsidy, the merchant receives the price, and the caller earns a WBT
    /// rebate on what it sent. Caller: a past redeemer of the programme's listing who is neither
    /// blocked nor the service's merchant.
    function buyService(uint256 programme, uint256 serviceId) external payable;

    /// @notice Catalogue entry `serviceId` (reverts if unknown). Anyone may call.
    function getService(uint256 serviceId) external view returns (Service memory);

    /// @notice Units of `listing` that `holder` has redeemed. Anyone may call.
    function redeemedBy(uint256 listing, address holder) external view returns (uint256);

    /// @notice The rebate rate in basis points of the consumption value (wei of WBT per wei spent). Anyone may call.
    function rebateBps() external view returns (uint256);
}
