// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IConsumptionGateway} from "./interfaces/IConsumptionGateway.sol";
import {IWelfareFund} from "./interfaces/IWelfareFund.sol";

/**
 * @title WelfareFund
 * @notice The public-welfare account; see IWelfareFund. It has no receive function and no
 * withdrawal: money enters as profit shares (only from the presale fixed at deployment) or donations
 * (anyone) and leaves only as subsidies that the gateway fixed at deployment pays under council
 * programmes. Statements: AUDITOR role.
 */
contract WelfareFund is IWelfareFund, AccessManaged, ReentrancyGuard {
    using Address for address payable;

    uint256 private constant _BPS = 10_000;

    address private immutable _council;
    IConsumptionGateway private immutable _gateway;
    address private immutable _presale;
    uint256 private _received;
    uint256 private _donated;
    uint256 private _subsidised;
    uint256 private _reserved;
    uint256 private _programmeCount;
    uint256 private _lastPeriod;
    mapping(uint256 programme => Programme) private _programmes;
    mapping(uint256 programme => mapping(address holder => uint256)) private _used;
    mapping(uint256 period => Statement) private _statements;

    /// @param gateway_ The consumption gateway: the only subsidy payer; its redemption records bound each
    /// holder's subsidy.
    /// @param presale_ The presale escrow: the only sender of profit shares.
    constructor(address authority, address council_, IConsumptionGateway gateway_, address presale_)
        AccessManaged(authority)
    {
        _council = council_;
        _gateway = gateway_;
        _presale = presale_;
    }

    /// @inheritdoc IWelfareFund
    function receiveProfit(uint256 listing) external payable {
        if (msg.sender != _presale) revert WelfareUnauthorizedCaller(msg.sender);
        _received += msg.value;
        emit ProfitReceived(listing, msg.value);
    }

    /// @inheritdoc IWelfareFund
    function donate(string calldata memo) external payable {
        _donated += msg.value;
        emit DonationReceived(msg.sender, msg.value, memo);
    }

    /// @inheritdoc IWelfareFund
    function createProgramme(uint256 budget, uint256 rateBps, uint256 perUnitCap, uint256 listing, uint64 expiry)
        external
        returns (uint256 programme)
    {
        if (msg.sender != _council) revert WelfareNotCouncil(msg.sender);
        if (budget == 0 || rateBps == 0 || rateBps > _BPS || expiry <= block.timestamp) revert WelfareInvalidProgramme();
        // Budget from the books, not the balance: ETH forced in (selfdestruct, coinbase) is not fund money.
        uint256 available = _received + _donated - _subsidised - _reserved;
        if (budget > available) revert WelfareInsufficientFunds(available, budget);
        _reserved += budget;
        programme = ++_programmeCount;
        _programmes[programme] = Programme(budget, 0, rateBps, perUnitCap, listing, expiry, false);
        emit ProgrammeCreated(programme, listing, budget, rateBps, perUnitCap, expiry);
    }

    /// @inheritdoc IWelfareFund
    function paySubsidy(uint256 programme, address holder, uint256 price, address payable merchant)
        external
        nonReentrant
        returns (uint256 subsidy)
    {
        if (msg.sender != address(_gateway)) revert WelfareUnauthorizedCaller(msg.sender);
        subsidy = quoteSubsidy(programme, holder, price);
        _programmes[programme].spent += subsidy;
        _used[programme][holder] += subsidy;
        _reserved -= subsidy;
        _subsidised += subsidy;
        emit SubsidyPaid(programme, holder, merchant, subsidy);
        merchant.sendValue(subsidy);
    }

    /// @inheritdoc IWelfareFund
    function closeProgramme(uint256 programme) external {
        Programme storage p = _usable(programme);
        if (block.timestamp <= p.expiry) revert WelfareProgrammeActive(programme, p.expiry);
        uint256 unspent = p.budget - p.spent;
        p.closed = true;
        _reserved -= unspent;
        emit ProgrammeClosed(programme, unspent);
    }

    /// @inheritdoc IWelfareFund
    function publishStatement(uint256 period, bytes32 ledgerRoot, bytes32 reportHash) external restricted {
        if (period <= _lastPeriod) revert WelfareStatementOutOfOrder(period, _lastPeriod);
        _lastPeriod = period;
        _statements[period] = Statement(ledgerRoot, reportHash, msg.sender, uint64(block.timestamp));
        emit StatementPublished(period, ledgerRoot, reportHash, msg.sender);
    }

    /// @inheritdoc IWelfareFund
    function quoteSubsidy(uint256 programme, address holder, uint256 price) public view returns (uint256 subsidy) {
        Programme storage p = _usable(programme);
        if (block.timestamp > p.expiry) revert WelfareProgrammeExpired(programme, p.expiry);
        subsidy = price * p.rateBps / _BPS;
        // The holder's allowance grows only with units it redeemed (burnt), which cannot change hands.
        uint256 allowance = p.perUnitCap * _gateway.redeemedBy(p.listing, holder);
        uint256 used = _used[programme][holder];
        uint256 holderLeft = allowance > used ? allowance - used : 0;
        if (subsidy > holderLeft) subsidy = holderLeft;
        uint256 budgetLeft = p.budget - p.spent;
        if (subsidy > budgetLeft) subsidy = budgetLeft;
    }

    /// @inheritdoc IWelfareFund
    function getProgramme(uint256 programme) external view returns (Programme memory) {
        if (programme == 0 || programme > _programmeCount) revert WelfareUnknownProgramme(programme);
        return _programmes[programme];
    }

    /// @inheritdoc IWelfareFund
    function subsidyUsed(uint256 programme, address holder) external view returns (uint256) {
        return _used[programme][holder];
    }

    /// @inheritdoc IWelfareFund
    function getStatement(uint256 period) external view returns (Statement memory) {
        return _statements[period];
    }

    /// @inheritdoc IWelfareFund
    function totals() external view returns (uint256 received, uint256 donated, uint256 subsidised, uint256 reserved) {
        return (_received, _donated, _subsidised, _reserved);
    }

    /// @inheritdoc IWelfareFund
    function council() external view returns (address) {
        return _council;
    }

    function _usable(uint256 programme) private view returns (Programme storage p) {
        if (programme == 0 || programme > _programmeCount) revert WelfareUnknownProgramme(programme);
        p = _programmes[programme];
        if (p.closed) revert WelfareProgrammeExpired(programme, p.expiry);
    }
}
