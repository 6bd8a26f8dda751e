// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IComplianceRegistry} from "./interfaces/IComplianceRegistry.sol";
import {IMerchantRegistry} from "./interfaces/IMerchantRegistry.sol";
import {IPresaleManager} from "./interfaces/IPresaleManager.sol";
import {IRiskControlVault} from "./interfaces/IRiskControlVault.sol";
import {IUsageRightToken} from "./interfaces/IUsageRightToken.sol";
import {IWelfareFund} from "./interfaces/IWelfareFund.sol";

/**
 * @title PresaleManager
 * @notice The presale escrow (see IPresaleManager for the state machine). Modelled on the retired
 * OpenZeppelin Escrow/RefundEscrow: deposits per listing, refunds only after failure, payouts only
 * as confirmed tranches and the audited settlement. Every wei and unit is counted in a Ledger.
 * Payouts to merchants are credited and pulled with `withdraw` (as in the retired PullPayment), so a
 * merchant that refuses ETH cannot block a finalisation, an installment or a settlement.
 */
contract PresaleManager is IPresaleManager, AccessManaged, ReentrancyGuard {
    using Address for address payable;

    /// @notice KYC level a buyer needs.
    uint8 public constant BUYER_KYC_LEVEL = 1;
    uint256 private constant _BPS = 10_000;

    IUsageRightToken private immutable _rights;
    IAssetRegistry private immutable _assets;
    IMerchantRegistry private immutable _merchants;
    IRiskControlVault private immutable _vault;
    IWelfareFund private immutable _welfare;
    IComplianceRegistry private immutable _compliance;
    // The one caller of payOutSettlement: fixed at deployment, so no role grant can add another.
    address private immutable _settlement;

    uint256 private _count;
    uint256 private _owedTotal;
    mapping(address payee => uint256) private _owed;
    mapping(uint256 listing => Listing) private _listings;
    mapping(uint256 listing => Ledger) private _ledgers;

    constructor(
        address authority,
        IUsageRightToken rights,
        IAssetRegistry assets,
        IMerchantRegistry merchants,
        IRiskControlVault vault,
        IWelfareFund welfare,
        IComplianceRegistry compliance,
        address settlement_
    ) AccessManaged(authority) {
        _rights = rights;
        _assets = assets;
        _merchants = merchants;
        _vault = vault;
        _welfare = welfare;
        _compliance = compliance;
        _settlement = settlement_;
    }

    /// @notice Accepts only the bond the risk vault sends when a default is declared.
    receive() external payable {
        if (msg.sender != address(_vault)) revert PresaleUnexpectedPayment(msg.sender);
    }

    /// @inheritdoc IPresaleManager
    function createListing(Terms calldata terms) external returns (uint256 listing) {
        _merchants.requireActive(msg.sender);
        if (!_validTerms(terms) || _assets.merchantOf(terms.assetId) != msg.sender) revert PresaleInvalidTerms();
        listing = ++_count;
        Listing storage l = _listings[listing];
        l.merchant = msg.sender;
        l.state = State.Draft;
        l.terms = terms;
        emit ListingCreated(listing, msg.sender, terms.assetId);
    }

    /// @inheritdoc IPresaleManager
    function activate(uint256 listing) external restricted {
        Listing storage l = _inState(listing, State.Draft);
        _merchants.requireActive(l.merchant);
        _vault.requireMinimumStake(l.merchant);
        l.state = State.Active;
        _merchants.listingOpened(l.merchant);
        emit ListingActivated(listing);
    }

    /// @inheritdoc IPresaleManager
    function buy(uint256 listing, uint256 units) external payable nonReentrant {
        Listing storage l = _inState(listing, State.Active);
        Terms storage t = l.terms;
        _requireWindow(listing, t.saleStart, t.saleEnd);
        _compliance.requireKyc(msg.sender, BUYER_KYC_LEVEL);
        Ledger storage g = _ledgers[listing];
        uint256 available = t.cap - g.sold;
        if (units == 0 || units > available) revert PresaleInvalidUnits(listing, units, available);
        uint256 cost = units * t.price;
        if (msg.value != cost) revert PresaleWrongPayment(cost, msg.value);
        g.sold += units;
        g.raised += cost;
        g.escrow += cost;
        _rights.mint(msg.sender, listing, units);
        emit RightsPurchased(listing, msg.sender, units, cost);
    }

    /// @inheritdoc IPresaleManager
    function finalise(uint256 listing) external nonReentrant {
        Listing storage l = _inState(listing, State.Active);
        Ledger storage g = _ledgers[listing];
        if (block.timestamp <= l.terms.saleEnd && g.sold < l.terms.cap) {
            revert PresaleOutsideWindow(listing, block.timestamp, l.terms.saleEnd + 1, type(uint64).max);
        }
        bool succeeded = g.sold >= l.terms.softGoal;
        if (succeeded) {
            l.state = State.Succeeded;
            _rights.unlock(listing);
            _payTranche(listing, l, g);
        } else {
            l.state = State.Failed;
            _merchants.listingClosed(l.merchant);
        }
        emit SaleFinalised(listing, succeeded, g.sold);
    }

    /// @inheritdoc IPresaleManager
    function refund(uint256 listing) external nonReentrant {
        Listing storage l = _inState(listing, State.Failed);
        uint256 units = _holdings(listing, msg.sender);
        uint256 amount = units * l.terms.price;
        Ledger storage g = _ledgers[listing];
        g.refundedUnits += units;
        g.refunded += amount;
        g.escrow -= amount;
        _rights.burn(msg.sender, listing, units);
        emit Refunded(listing, msg.sender, units, amount);
        payable(msg.sender).sendValue(amount);
    }

    /// @inheritdoc IPresaleManager
    function confirmInstallment(uint256 listing, uint256 tranche) external restricted nonReentrant {
        Listing storage l = _delivering(listing);
        uint256 total = l.terms.trancheBps.length;
        if (tranche != l.tranchesPaid || tranche >= total) {
            revert PresaleTrancheOutOfOrder(listing, tranche, l.tranchesPaid, total);
        }
        l.state = State.Delivering;
        _payTranche(listing, l, _ledgers[listing]);
    }

    /// @inheritdoc IPresaleManager
    function recordRedemption(uint256 listing, address holder, uint256 units)
        external
        restricted
        returns (uint256 assetId, uint256 price)
    {
        Listing storage l = _delivering(listing);
        _requireWindow(listing, l.terms.redeemStart, l.terms.redeemEnd);
        if (units == 0) revert PresaleInvalidUnits(listing, units, _rightsBalance(listing, holder));
        _ledgers[listing].redeemed += units;
        _rights.burn(holder, listing, units);
        emit RedemptionRecorded(listing, holder, units);
        return (l.terms.assetId, l.terms.price);
    }

    /// @inheritdoc IPresaleManager
    function requireBuyback(uint256 listing) external restricted {
        Listing storage l = _delivering(listing);
        if (block.timestamp <= l.terms.redeemEnd) {
            revert PresaleOutsideWindow(listing, block.timestamp, l.terms.redeemEnd + 1, type(uint64).max);
        }
        if (l.buybackDeadline != 0) revert PresaleBuybackRequired(listing, true);
        Ledger storage g = _ledgers[listing];
        uint256 units = _outstanding(g);
        uint64 deadline = uint64(block.timestamp) + l.terms.buybackPeriod;
        l.buybackDeadline = deadline;
        g.buybackUnits = units;
        g.buybackDue = units * l.terms.buybackPrice;
        emit BuybackRequired(listing, units, g.buybackDue, deadline);
    }

    /// @inheritdoc IPresaleManager
    function topUpBuyback(uint256 listing) external payable {
        Listing storage l = _delivering(listing);
        if (l.buybackDeadline == 0) revert PresaleBuybackRequired(listing, false);
        Ledger storage g = _ledgers[listing];
        uint256 funded = g.buybackFunded + msg.value;
        if (funded > g.buybackDue) revert PresaleBuybackOverfunded(listing, g.buybackDue, funded);
        g.buybackFunded = funded;
        g.buybackPool += msg.value;
        emit BuybackToppedUp(listing, msg.sender, msg.value, funded);
    }

    /// @inheritdoc IPresaleManager
    function claimBuyback(uint256 listing) external nonReentrant {
        Listing storage l = _known(listing);
        if (l.buybackDeadline == 0) revert PresaleBuybackRequired(listing, false);
        Ledger storage g = _ledgers[listing];
        if (!l.defaulted && g.buybackFunded < g.buybackDue) {
            revert PresaleBuybackUnfunded(listing, g.buybackDue, g.buybackFunded);
        }
        uint256 units = _holdings(listing, msg.sender);
        // After a default every unit outstanding at the requirement gets an equal share of the pool.
        uint256 amount = l.defaulted ? units * g.buybackFunded / g.buybackUnits : units * l.terms.buybackPrice;
        g.boughtBackUnits += units;
        g.buybackPaid += amount;
        g.buybackPool -= amount;
        _rights.burn(msg.sender, listing, units);
        emit BuybackClaimed(listing, msg.sender, units, amount);
        payable(msg.sender).sendValue(amount);
    }

    /// @inheritdoc IPresaleManager
    function declareDefault(uint256 listing) external restricted nonReentrant {
        Listing storage l = _delivering(listing);
        if (l.buybackDeadline == 0) revert PresaleBuybackRequired(listing, false);
        Ledger storage g = _ledgers[listing];
        if (g.buybackFunded >= g.buybackDue || block.timestamp <= l.buybackDeadline) {
            revert PresaleOutsideWindow(listing, block.timestamp, uint256(l.buybackDeadline) + 1, type(uint64).max);
        }
        l.state = State.Closed;
        l.defaulted = true;
        uint256 moved = g.escrow;
        g.escrow = 0;
        g.escrowToBuyback = moved;
        uint256 bond = _vault.seize(l.merchant);
        g.buybackFunded += bond + moved;
        g.buybackPool += bond + moved;
        _merchants.markDefaulted(l.merchant);
        _merchants.listingClosed(l.merchant);
        emit DefaultDeclared(listing, l.merchant, bond, moved);
        emit ListingClosed(listing);
    }

    /// @inheritdoc IPresaleManager
    function close(uint256 listing) external restricted {
        Listing storage l = _delivering(listing);
        uint256 total = l.terms.trancheBps.length;
        if (l.tranchesPaid < total) revert PresaleTrancheOutOfOrder(listing, total, l.tranchesPaid, total);
        if (block.timestamp <= l.terms.redeemEnd) {
            revert PresaleOutsideWindow(listing, block.timestamp, l.terms.redeemEnd + 1, type(uint64).max);
        }
        Ledger storage g = _ledgers[listing];
        if (_outstanding(g) != 0 && (l.buybackDeadline == 0 || g.buybackFunded < g.buybackDue)) {
            revert PresaleBuybackUnfunded(listing, g.buybackDue, g.buybackFunded);
        }
        l.state = State.Closed;
        emit ListingClosed(listing);
    }

    /// @inheritdoc IPresaleManager
    function payOutSettlement(uint256 listing, uint256 fee, uint256 welfare) external nonReentrant {
        if (msg.sender != _settlement) revert PresaleNotSettlement(msg.sender);
        Listing storage l = _inState(listing, State.Closed);
        if (l.defaulted) revert PresaleWrongState(listing, State.Closed);
        Ledger storage g = _ledgers[listing];
        // The 50% cap and the escrow hold here too, whatever the settlement contract computed.
        if (fee > welfare || fee + welfare > g.escrow) revert PresaleInvalidSettlement(listing, fee, welfare, g.escrow);
        uint256 toMerchant = g.escrow - welfare;
        l.state = State.Settled;
        g.fee = fee;
        g.welfare = welfare;
        g.released += toMerchant - fee;
        g.escrow = 0;
        _merchants.listingClosed(l.merchant);
        _credit(l.merchant, toMerchant);
        emit ListingSettled(listing, toMerchant, fee, welfare);
        _welfare.receiveProfit{value: welfare}(listing);
    }

    /// @inheritdoc IPresaleManager
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _owed[msg.sender];
        if (amount == 0) revert PresaleNothingOwed(msg.sender);
        _owed[msg.sender] = 0;
        _owedTotal -= amount;
        emit Withdrawn(msg.sender, amount);
        payable(msg.sender).sendValue(amount);
    }

    /// @inheritdoc IPresaleManager
    function owedTo(address payee) external view returns (uint256) {
        return _owed[payee];
    }

    /// @inheritdoc IPresaleManager
    function owedTotal() external view returns (uint256) {
        return _owedTotal;
    }

    /// @inheritdoc IPresaleManager
    function getListing(uint256 listing) external view returns (Listing memory) {
        return _known(listing);
    }

    /// @inheritdoc IPresaleManager
    function getLedger(uint256 listing) external view returns (Ledger memory) {
        _known(listing);
        return _ledgers[listing];
    }

    /// @inheritdoc IPresaleManager
    function listingCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc IPresaleManager
    function merchantOf(uint256 listing) external view returns (address) {
        return _known(listing).merchant;
    }

    /// @inheritdoc IPresaleManager
    function settlement() external view returns (address) {
        return _settlement;
    }

    /// @inheritdoc IPresaleManager
    function settlementView(uint256 listing)
        external
        view
        returns (address merchant, State state, bool defaulted, uint256 revenue, uint256 escrow, uint256 released)
    {
        Listing storage l = _known(listing);
        Ledger storage g = _ledgers[listing];
        return (l.merchant, l.state, l.defaulted, g.raised - g.refunded, g.escrow, g.released);
    }

    function _payTranche(uint256 listing, Listing storage l, Ledger storage g) private {
        uint256 k = l.tranchesPaid;
        uint256 total = l.terms.trancheBps.length;
        uint256 budget = l.terms.costBudget;
        // The last tranche takes whatever rounding left, so the tranches add up to the budget exactly.
        uint256 amount = k + 1 == total ? budget - _paidSoFar(l.terms.trancheBps, k, budget)
            : budget * l.terms.trancheBps[k] / _BPS;
        l.tranchesPaid = uint8(k + 1);
        g.released += amount;
        g.escrow -= amount;
        _credit(l.merchant, amount);
        emit TrancheReleased(listing, k, amount);
    }

    function _credit(address payee, uint256 amount) private {
        _owed[payee] += amount;
        _owedTotal += amount;
        emit PaymentCredited(payee, amount, _owed[payee]);
    }

    function _paidSoFar(uint16[] storage bps, uint256 k, uint256 budget) private view returns (uint256 paid) {
        for (uint256 i = 0; i < k; ++i) {
            paid += budget * bps[i] / _BPS;
        }
    }

    function _validTerms(Terms calldata t) private view returns (bool) {
        uint256 sum = 0;
        for (uint256 i = 0; i < t.trancheBps.length; ++i) {
            sum += t.trancheBps[i];
        }
        return t.price > 0 && t.softGoal > 0 && t.softGoal <= t.cap && t.costBudget <= t.softGoal * t.price
            && t.trancheBps.length > 0 && t.trancheBps.length <= type(uint8).max && sum == _BPS
            && t.saleStart < t.saleEnd && t.saleEnd >= block.timestamp && t.saleEnd <= t.redeemStart
            && t.redeemStart < t.redeemEnd;
    }

    function _known(uint256 listing) private view returns (Listing storage l) {
        l = _listings[listing];
        if (l.state == State.None) revert PresaleUnknownListing(listing);
    }

    function _inState(uint256 listing, State state) private view returns (Listing storage l) {
        l = _known(listing);
        if (l.state != state) revert PresaleWrongState(listing, l.state);
    }

    function _delivering(uint256 listing) private view returns (Listing storage l) {
        l = _known(listing);
        if (l.state != State.Succeeded && l.state != State.Delivering) revert PresaleWrongState(listing, l.state);
    }

    function _requireWindow(uint256 listing, uint256 start, uint256 end) private view {
        if (block.timestamp < start || block.timestamp > end) {
            revert PresaleOutsideWindow(listing, block.timestamp, start, end);
        }
    }

    /// @dev The holder's unfrozen units: frozen ones stay (and stay claimable once unfrozen), so a
    /// freeze never blocks the refund or buyback of the rest.
    function _holdings(uint256 listing, address holder) private view returns (uint256 units) {
        uint256 balance = _rightsBalance(listing, holder);
        uint256 frozen = _rights.getFrozenTokens(holder, listing);
        units = balance > frozen ? balance - frozen : 0;
        if (units == 0) revert PresaleNothingToClaim(listing, holder);
    }

    function _rightsBalance(uint256 listing, address holder) private view returns (uint256) {
        return IERC1155(address(_rights)).balanceOf(holder, listing);
    }

    function _outstanding(Ledger storage g) private view returns (uint256) {
        return g.sold - g.redeemed - g.refundedUnits - g.boughtBackUnits;
    }
}
