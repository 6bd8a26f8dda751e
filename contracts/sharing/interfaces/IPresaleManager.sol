// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IPresaleManager
 * @notice The presale escrow. Buyers pay native currency for usage-right units of a listing; the
 * money stays here and reaches the merchant only as cost tranches the operator confirms, and as
 * the final settlement. A sale that misses its soft goal is refunded in full. After the
 * redemption window the operator may require the merchant to buy back what remains.
 *
 * States: Draft -> Active -> Failed | Succeeded -> Delivering -> Closed -> Settled.
 * A declared default moves a listing straight to Closed with `defaulted` set; it is never settled.
 */
interface IPresaleManager {
    enum State {
        None,
        Draft,
        Active,
        Failed,
        Succeeded,
        Delivering,
        Closed,
        Settled
    }

    /// @notice A listing's terms, fixed when it is created. Amounts in wei, times in unix seconds.
    struct Terms {
        uint256 assetId; // the house in the AssetRegistry; must belong to the merchant
        uint256 price; // wei per unit
        uint256 cap; // most units that can be sold
        uint256 softGoal; // fewest units for the sale to succeed
        uint256 costBudget; // wei the merchant may receive as tranches; <= softGoal * price
        uint16[] trancheBps; // shares of costBudget, summing to 10000; tranche 0 is paid on success
        uint64 saleStart;
        uint64 saleEnd;
        uint64 redeemStart;
        uint64 redeemEnd; // after this the operator may require a buyback
        uint256 buybackPrice; // wei per unit the merchant pays for units left at redeemEnd
        uint64 buybackPeriod; // seconds the merchant has to fund a required buyback
    }

    /// @notice A listing: its merchant, its state and its terms.
    struct Listing {
        address merchant;
        State state;
        bool defaulted;
        uint8 tranchesPaid;
        uint64 buybackDeadline; // zero until a buyback is required
        Terms terms;
    }

    /// @notice Every unit and wei a listing moved. Invariants: sold = supply + redeemed + refundedUnits +
    /// boughtBackUnits; raised = refunded + released + fee + welfare + escrow + escrowToBuyback;
    /// buybackFunded = buybackPaid + buybackPool.
    struct Ledger {
        uint256 sold;
        uint256 redeemed;
        uint256 refundedUnits;
        uint256 boughtBackUnits;
        uint256 raised;
        uint256 refunded;
        uint256 released; // tranches plus the cost part of the settlement
        uint256 fee; // merchant's management fee at settlement
        uint256 welfare; // welfare fund's share at settlement
        uint256 escrow; // buyers' money still held for this listing
        uint256 escrowToBuyback; // escrow moved into the buyback pool on default
        uint256 buybackUnits; // units outstanding when the buyback was required
        uint256 buybackDue; // buybackUnits * buybackPrice
        uint256 buybackFunded; // top-ups, plus the seized bond and escrow on default
        uint256 buybackPaid;
        uint256 buybackPool; // buybackFunded - buybackPaid
    }

    /// @notice No listing has id `listing`.
    error PresaleUnknownListing(uint256 listing);
    /// @notice `listing` is in state `current`, which does not allow this action.
    error PresaleWrongState(uint256 listing, State current);
    /// @notice The terms are inconsistent (windows out of order, tranches not summing to 10000, ...).
    error PresaleInvalidTerms();
    /// @notice The action is allowed only between `start` and `end`; it is now `nowTime`.
    error PresaleOutsideWindow(uint256 listing, uint256 nowTime, uint256 start, uint256 end);
    /// @notice `paid` wei were sent where exactly `expected` were required.
    error PresaleWrongPayment(uint256 expected, uint256 paid);
    /// @notice `requested` units asked for, only `available` left (or zero units asked for).
    error PresaleInvalidUnits(uint256 listing, uint256 requested, uint256 available);
    /// @notice `account` holds no unfrozen units of `listing` to refund or sell back.
    error PresaleNothingToClaim(uint256 listing, address account);
    /// @notice Tranche `tranche` was asked for; the next unpaid one is `expected` (`total` in all).
    error PresaleTrancheOutOfOrder(uint256 listing, uint256 tranche, uint256 expected, uint256 total);
    /// @notice A buyback was already required for `listing`, or was required for none.
    error PresaleBuybackRequired(uint256 listing, bool required);
    /// @notice The buyback pool of `listing` holds `funded` of `due` wei.
    error PresaleBuybackUnfunded(uint256 listing, uint256 due, uint256 funded);
    /// @notice A top-up would fund `funded` wei of a `due` wei buyback.
    error PresaleBuybackOverfunded(uint256 listing, uint256 due, uint256 funded);
    /// @notice Money arrived from someone other than the risk vault.
    error PresaleUnexpectedPayment(address sender);
    /// @notice Nothing is owed to `account`.
    error PresaleNothingOwed(address account);
    /// @notice Only the profit settlement contract fixed at deployment may pay out; `caller` tried.
    error PresaleNotSettlement(address caller);
    /// @notice A payout of `fee` and `welfare` breaks fee <= welfare (the 50% cap) or fee + welfare <= `escrow`.
    error PresaleInvalidSettlement(uint256 listing, uint256 fee, uint256 welfare, uint256 escrow);

    /// @notice Emitted after a merchant created a Draft listing.
    event ListingCreated(uint256 indexed listing, address indexed merchant, uint256 indexed assetId);
    /// @notice Emitted after the operator put a listing live.
    event ListingActivated(uint256 indexed listing);
    /// @notice Emitted after a buyer paid `paid` wei for `units` units.
    event RightsPurchased(uint256 indexed listing, address indexed buyer, uint256 units, uint256 paid);
    /// @notice Emitted after a sale ended, successfully or not.
    event SaleFinalised(uint256 indexed listing, bool succeeded, uint256 sold);
    /// @notice Emitted after a holder of a failed listing was repaid.
    event Refunded(uint256 indexed listing, address indexed holder, uint256 units, uint256 amount);
    /// @notice Emitted after tranche `tranche` of the cost budget was paid to the merchant.
    event TrancheReleased(uint256 indexed listing, uint256 indexed tranche, uint256 amount);
    /// @notice Emitted after the gateway recorded redeemed units.
    event RedemptionRecorded(uint256 indexed listing, address indexed holder, uint256 units);
    /// @notice Emitted after the operator required a buyback of `units` units.
    event BuybackRequired(uint256 indexed listing, uint256 units, uint256 due, uint64 deadline);
    /// @notice Emitted after money was added to a buyback pool.
    event BuybackToppedUp(uint256 indexed listing, address indexed from, uint256 amount, uint256 funded);
    /// @notice Emitted after a holder sold units back.
    event BuybackClaimed(uint256 indexed listing, address indexed holder, uint256 units, uint256 amount);
    /// @notice Emitted after a merchant was declared in default and its bond seized.
    event DefaultDeclared(uint256 indexed listing, address indexed merchant, uint256 seizedBond, uint256 escrowMoved);
    /// @notice Emitted after a listing was closed.
    event ListingClosed(uint256 indexed listing);
    /// @notice Emitted after `amount` wei were credited to `payee` (a merchant), who now is owed `owed`.
    event PaymentCredited(address indexed payee, uint256 amount, uint256 owed);
    /// @notice Emitted after `payee` withdrew `amount` wei owed to it.
    event Withdrawn(address indexed payee, uint256 amount);
    /// @notice Emitted after a listing's escrow was paid out at settlement.
    event ListingSettled(uint256 indexed listing, uint256 toMerchant, uint256 fee, uint256 welfare);

    /// @notice Creates a Draft listing for one of the caller's assets. Caller: an active merchant.
    function createListing(Terms calldata terms) external returns (uint256 listing);

    /// @notice Puts a Draft listing live once its merchant's stake meets the minimum. Caller: OPERATOR role.
    function activate(uint256 listing) external;

    /// @notice Buys `units` units at the listing price inside the sale window; `msg.value` must be exact.
    /// Caller: any account with KYC level 1 that is not blocked.
    function buy(uint256 listing, uint256 units) external payable;

    /// @notice Ends the sale after its window (or once sold out): Succeeded (tranche 0 credited, transfers
    /// unlocked) if the soft goal was met, otherwise Failed. Caller: anyone.
    function finalise(uint256 listing) external;

    /// @notice Burns the caller's unfrozen units of a Failed listing and repays them at the price; frozen
    /// units stay and can be refunded once unfrozen. Caller: any holder.
    function refund(uint256 listing) external;

    /// @notice Accepts delivery of installment `tranche` (the next unpaid one) and credits its share of the
    /// cost budget to the merchant (see `withdraw`). Caller: OPERATOR role.
    function confirmInstallment(uint256 listing, uint256 tranche) external;

    /// @notice Records that `holder` redeems `units` inside the redemption window and burns them; returns
    /// the asset and price. Caller: GATEWAY role (the consumption gateway).
    function recordRedemption(uint256 listing, address holder, uint256 units)
        external
        returns (uint256 assetId, uint256 price);

    /// @notice After the redemption window, requires the merchant to buy back every outstanding unit
    /// at the buyback price within the buyback period. Caller: OPERATOR role.
    function requireBuyback(uint256 listing) external;

    /// @notice Adds `msg.value` to the buyback pool; cannot exceed what is due. Caller: anyone (normally the merchant).
    function topUpBuyback(uint256 listing) external payable;

    /// @notice Burns the caller's unfrozen units and pays the buyback price for each (pro rata after a default);
    /// frozen units stay claimable once unfrozen.
    /// Caller: any holder, once the buyback is fully funded or a default was declared.
    function claimBuyback(uint256 listing) external;

    /// @notice After an unfunded buyback's deadline: seizes the merchant's bond, moves it and the
    /// remaining escrow into the buyback pool and closes the listing as defaulted. Caller: OPERATOR role.
    function declareDefault(uint256 listing) external;

    /// @notice Closes a listing once every tranche is paid, the redemption window is over and nothing is
    /// outstanding or the buyback is fully funded. Caller: OPERATOR role.
    function close(uint256 listing) external;

    /// @notice Pays out a Closed listing's escrow: `welfare` wei to the welfare fund, the rest (cost plus
    /// `fee`) credited to the merchant; marks the listing Settled. Requires fee <= welfare and fee + welfare <=
    /// escrow. Caller: only the ProfitSettlement address fixed at deployment (`settlement()`).
    function payOutSettlement(uint256 listing, uint256 fee, uint256 welfare) external;

    /// @notice Pays the caller everything credited to it (tranches and settlement payouts); returns the
    /// amount. Caller: anyone owed money (normally a merchant).
    function withdraw() external returns (uint256 amount);

    /// @notice Wei credited to `payee` and not yet withdrawn. Anyone may call.
    function owedTo(address payee) external view returns (uint256);

    /// @notice Wei credited to all payees and not yet withdrawn. Anyone may call.
    function owedTotal() external view returns (uint256);

    /// @notice The only address allowed to call `payOutSettlement`. Anyone may call.
    function settlement() external view returns (address);

    /// @notice A listing with its terms. Anyone may call.
    function getListing(uint256 listing) external view returns (Listing memory);

    /// @notice A listing's ledger of units and wei. Anyone may call.
    function getLedger(uint256 listing) external view returns (Ledger memory);

    /// @notice How many listings exist (ids are 1..count). Anyone may call.
    function listingCount() external view returns (uint256);

    /// @notice The merchant of `listing` (reverts for an unknown listing). Anyone may call.
    function merchantOf(uint256 listing) external view returns (address);

    /// @notice What the profit settlement needs: merchant, state, default flag, net sales and escrow in wei.
    /// Anyone may call.
    function settlementView(uint256 listing)
        external
        view
        returns (address merchant, State state, bool defaulted, uint256 revenue, uint256 escrow, uint256 released);
}
