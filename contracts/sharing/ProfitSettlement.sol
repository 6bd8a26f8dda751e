// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IPresaleManager} from "./interfaces/IPresaleManager.sol";
import {IProfitSettlement} from "./interfaces/IProfitSettlement.sol";

/**
 * @title ProfitSettlement
 * @notice Capped profit split, modelled on the retired OpenZeppelin PaymentSplitter but with two
 * fixed payees and one payout per listing. Report: the listing's merchant. Attest: AUDITOR role.
 * Settle: OPERATOR role. The 50% cap is a constant: no role and no upgrade path can raise it.
 */
contract ProfitSettlement is IProfitSettlement, AccessManaged {
    /// @notice The highest management fee, in basis points of profit.
    uint256 public constant MAX_FEE_BPS = 5000;
    uint256 private constant _BPS = 10_000;

    IPresaleManager private immutable _presale;
    mapping(uint256 listing => Report) private _reports;

    constructor(address authority, IPresaleManager presale) AccessManaged(authority) {
        _presale = presale;
    }

    /// @inheritdoc IProfitSettlement
    function report(uint256 listing, uint256 cost, bytes32 reportHash) external {
        (address merchant,,, uint256 revenue,,) = _closed(listing);
        if (msg.sender != merchant) revert SettlementNotMerchant(listing, msg.sender);
        Report storage r = _reports[listing];
        if (r.settled) revert SettlementAlreadySettled(listing);
        r.revenue = revenue;
        r.cost = cost;
        r.reportHash = reportHash;
        r.attested = false;
        emit ProfitReported(listing, revenue, cost, reportHash);
    }

    /// @inheritdoc IProfitSettlement
    function attest(uint256 listing, bytes32 reportHash) external restricted {
        Report storage r = _reports[listing];
        if (r.reportHash == bytes32(0)) revert SettlementNotReported(listing);
        if (r.settled) revert SettlementAlreadySettled(listing);
        if (r.reportHash != reportHash) revert SettlementReportMismatch(listing, r.reportHash, reportHash);
        r.attested = true;
        emit ReportAttested(listing, msg.sender, reportHash);
    }

    /// @inheritdoc IProfitSettlement
    function settle(uint256 listing, uint256 feeBps) external restricted {
        if (feeBps > MAX_FEE_BPS) revert SettlementFeeTooHigh(feeBps, MAX_FEE_BPS);
        Report storage r = _reports[listing];
        if (r.settled) revert SettlementAlreadySettled(listing);
        if (!r.attested) revert SettlementNotAttested(listing);
        (,,,, uint256 escrow,) = _closed(listing);
        uint256 profit = r.revenue > r.cost ? r.revenue - r.cost : 0;
        // A cost reported below what the tranches already paid cannot conjure profit the escrow lacks.
        if (profit > escrow) profit = escrow;
        (uint256 fee, uint256 welfare) = splitProfit(profit, feeBps);
        r.settled = true;
        r.profit = profit;
        r.fee = fee;
        r.welfare = welfare;
        emit ProfitSettled(listing, profit, feeBps, fee, welfare);
        _presale.payOutSettlement(listing, fee, welfare);
    }

    /// @inheritdoc IProfitSettlement
    function splitProfit(uint256 profit, uint256 feeBps) public pure returns (uint256 fee, uint256 welfare) {
        if (feeBps > MAX_FEE_BPS) revert SettlementFeeTooHigh(feeBps, MAX_FEE_BPS);
        fee = profit * feeBps / _BPS;
        welfare = profit - fee;
    }

    /// @inheritdoc IProfitSettlement
    function reportOf(uint256 listing) external view returns (Report memory) {
        return _reports[listing];
    }

    function _closed(uint256 listing)
        private
        view
        returns (address, IPresaleManager.State, bool, uint256, uint256, uint256)
    {
        (address merchant, IPresaleManager.State state, bool defaulted, uint256 revenue, uint256 escrow, uint256 released)
        = _presale.settlementView(listing);
        if (state != IPresaleManager.State.Closed || defaulted) revert SettlementNotClosed(listing);
        return (merchant, state, defaulted, revenue, escrow, released);
    }
}
