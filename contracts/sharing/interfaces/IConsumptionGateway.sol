// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IConsumptionGateway
 * @notice Where usage rights are consumed: redeeming nights burns units, makes the redeemer the
 * house's ERC-4907 user until checkout and mints a WBT rebate; buying a merchant's service under a
 * welfare programme splits the price between the holder and the fund while the merchant gets it all.
 */
interface IConsumptionGateway {
    /// @notice The house `assetId` is used by `user` until `expires`.
    error GatewayAssetOccupied(uint256 assetId, address user, uint256 expires);
    /// @notice `holder` neither holds nor has redeemed units of `listing`.
    error GatewayNotEligible(address holder, uint256 listing);
    /// @notice `paid` wei were sent where exactly `expected` were required.
    error GatewayWrongPayment(uint256 expected, uint256 paid);

    /// @notice Emitted after a holder redeemed nights and got the house until checkout.
    event NightsRedeemed(uint256 indexed listing, address indexed holder, uint256 units, uint256 indexed assetId, uint64 checkout, uint256 rebate);
    /// @notice Emitted after a holder bought a service, partly subsidised.
    event ServicePurchased(uint256 indexed programme, address indexed holder, address indexed merchant, uint256 price, uint256 subsidy, bytes32 serviceRef, uint256 rebate);

    /// @notice Redeems `units` nights of `listing`: burns them, sets the caller as the house's user until
    /// checkout (now, or the caller's current checkout, plus `units` days) and mints the WBT rebate.
    /// Caller: any holder, inside the listing's redemption window, while the house is free or theirs.
    function redeem(uint256 listing, uint256 units) external returns (uint64 checkout);

    /// @notice Buys a service worth `price` wei from the merchant of the programme's listing; the caller
    /// sends price - subsidy, the welfare fund pays the subsidy, the merchant receives `price`.
    /// Caller: a holder or past redeemer of the programme's listing who is not blocked.
    function buyService(uint256 programme, uint256 price, bytes32 serviceRef) external payable;

    /// @notice Units of `listing` that `holder` has redeemed. Anyone may call.
    function redeemedBy(uint256 listing, address holder) external view returns (uint256);

    /// @notice The rebate rate in basis points of the consumption value (wei of WBT per wei spent). Anyone may call.
    function rebateBps() external view returns (uint256);
}
