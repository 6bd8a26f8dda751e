// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IProfitSettlement
 * @notice Splits a closed listing's realised profit once: at most MAX_FEE_BPS (50%) to the merchant
 * as a management fee, the rest to the welfare fund. Revenue is the listing's net sales, known on
 * chain; the merchant reports its cost with the hash of its report, and an auditor attests it.
 */
interface IProfitSettlement {
    /// @notice `feeBps` exceeds the hard cap `maxBps`.
    error SettlementFeeTooHigh(uint256 feeBps, uint256 maxBps);
    /// @notice `caller` is not the merchant of `listing`.
    error SettlementNotMerchant(uint256 listing, address caller);
    /// @notice `listing` is not Closed, or it defaulted.
    error SettlementNotClosed(uint256 listing);
    /// @notice Nothing was reported for `listing`.
    error SettlementNotReported(uint256 listing);
    /// @notice The report of `listing` is not attested.
    error SettlementNotAttested(uint256 listing);
    /// @notice The auditor attested `attested` but the merchant reported `reported`.
    error SettlementReportMismatch(uint256 listing, bytes32 reported, bytes32 attested);
    /// @notice `listing` was already settled.
    error SettlementAlreadySettled(uint256 listing);

    /// @notice A listing's report and, once settled, its split. Amounts in wei.
    struct Report {
        uint256 revenue;
        uint256 cost;
        bytes32 reportHash;
        bool attested;
        bool settled;
        uint256 profit;
        uint256 fee;
        uint256 welfare;
    }

    /// @notice Emitted after the merchant reported a listing's cost.
    event ProfitReported(uint256 indexed listing, uint256 revenue, uint256 cost, bytes32 reportHash);
    /// @notice Emitted after an auditor attested a report.
    event ReportAttested(uint256 indexed listing, address indexed auditor, bytes32 reportHash);
    /// @notice Emitted after a listing's profit was split.
    event ProfitSettled(uint256 indexed listing, uint256 profit, uint256 feeBps, uint256 fee, uint256 welfare);

    /// @notice Reports the total cost (wei) of a Closed listing with the hash of the cost report;
    /// replaces an earlier unattested or attested report. Caller: the listing's merchant.
    function report(uint256 listing, uint256 cost, bytes32 reportHash) external;

    /// @notice Attests the current report, which must have hash `reportHash`. Caller: AUDITOR role.
    function attest(uint256 listing, bytes32 reportHash) external;

    /// @notice Splits the attested profit, `feeBps` (<= 5000) to the merchant and the rest to the welfare
    /// fund, and pays out the escrow. Once per listing. Caller: OPERATOR role.
    function settle(uint256 listing, uint256 feeBps) external;

    /// @notice The split of `profit` wei at `feeBps`: (fee, welfare), fee rounded down. Anyone may call.
    function splitProfit(uint256 profit, uint256 feeBps) external pure returns (uint256 fee, uint256 welfare);

    /// @notice The report of `listing`. Anyone may call.
    function reportOf(uint256 listing) external view returns (Report memory);
}
