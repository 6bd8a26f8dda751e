// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IWelfareFund
 * @notice The public-welfare account. It receives the welfare share of settled profits and
 * donations, and pays out only one way: subsidies on token holders' in-system consumption, under
 * programmes the custodian council creates. There is no general withdrawal. Its auditor publishes
 * statements (period, ledger root, report hash). Invariant: balance = received + donated - subsidised.
 */
interface IWelfareFund {
    /// @notice `caller` is not the custodian council.
    error WelfareNotCouncil(address caller);
    /// @notice `caller` is not the presale (profit shares) or the gateway (subsidies) fixed at deployment.
    error WelfareUnauthorizedCaller(address caller);
    /// @notice Only `available` wei are unreserved; `needed` were asked for.
    error WelfareInsufficientFunds(uint256 available, uint256 needed);
    /// @notice The programme's parameters are unusable (zero budget or rate, rate above 10000, past expiry).
    error WelfareInvalidProgramme();
    /// @notice No programme has id `programme`.
    error WelfareUnknownProgramme(uint256 programme);
    /// @notice `programme` expired at `expiry` (or was closed).
    error WelfareProgrammeExpired(uint256 programme, uint256 expiry);
    /// @notice `programme` runs until `expiry` and cannot be closed yet.
    error WelfareProgrammeActive(uint256 programme, uint256 expiry);
    /// @notice Statement periods must increase: `period` is not after `lastPeriod`.
    error WelfareStatementOutOfOrder(uint256 period, uint256 lastPeriod);

    /// @notice A subsidy programme. Amounts in wei; `rateBps` of each price is subsidised.
    struct Programme {
        uint256 budget;
        uint256 spent;
        uint256 rateBps;
        uint256 perUnitCap; // wei a holder may receive per unit of `listing` it redeemed
        uint256 listing; // past redeemers of this listing are eligible
        uint64 expiry;
        bool closed;
    }

    /// @notice An audited statement.
    struct Statement {
        bytes32 ledgerRoot;
        bytes32 reportHash;
        address auditor;
        uint64 publishedAt;
    }

    /// @notice Emitted after the welfare share of a listing's profit arrived.
    event ProfitReceived(uint256 indexed listing, uint256 amount);
    /// @notice Emitted after a donation arrived.
    event DonationReceived(address indexed donor, uint256 amount, string memo);
    /// @notice Emitted after the council created a subsidy programme.
    event ProgrammeCreated(uint256 indexed programme, uint256 indexed listing, uint256 budget, uint256 rateBps, uint256 perUnitCap, uint64 expiry);
    /// @notice Emitted after a subsidy was paid to a merchant for a holder's purchase.
    event SubsidyPaid(uint256 indexed programme, address indexed holder, address indexed merchant, uint256 amount);
    /// @notice Emitted after an expired programme's unspent budget was freed.
    event ProgrammeClosed(uint256 indexed programme, uint256 unspent);
    /// @notice Emitted after an auditor published a statement.
    event StatementPublished(uint256 indexed period, bytes32 ledgerRoot, bytes32 reportHash, address indexed auditor);

    /// @notice Receives the welfare share of `listing`'s profit. Caller: the presale fixed at deployment.
    function receiveProfit(uint256 listing) external payable;

    /// @notice Donates `msg.value` wei with a public memo. Caller: anyone.
    function donate(string calldata memo) external payable;

    /// @notice Creates a subsidy programme reserving `budget` wei of unreserved funds, counted from the books
    /// (received + donated - subsidised - reserved), never from the balance. Caller: the custodian council.
    function createProgramme(uint256 budget, uint256 rateBps, uint256 perUnitCap, uint256 listing, uint64 expiry)
        external
        returns (uint256 programme);

    /// @notice Pays `holder`'s subsidy on a purchase of `price` wei to `merchant`; returns it.
    /// Caller: the consumption gateway fixed at deployment, which checks eligibility.
    function paySubsidy(uint256 programme, address holder, uint256 price, address payable merchant)
        external
        returns (uint256 subsidy);

    /// @notice Returns an expired programme's unspent budget to the unreserved funds. Caller: anyone.
    function closeProgramme(uint256 programme) external;

    /// @notice Publishes the audited statement of `period` (periods strictly increase). Caller: AUDITOR role.
    function publishStatement(uint256 period, bytes32 ledgerRoot, bytes32 reportHash) external;

    /// @notice The subsidy `holder` would get on `price` wei now: `price * rateBps / 10000`, limited by the
    /// holder's allowance (`perUnitCap` times the units of the listing it redeemed, less what it already
    /// received) and the budget left. Reverts if the programme is unusable. Anyone may call.
    function quoteSubsidy(uint256 programme, address holder, uint256 price) external view returns (uint256);

    /// @notice A programme. Anyone may call.
    function getProgramme(uint256 programme) external view returns (Programme memory);

    /// @notice Subsidy `holder` has received from `programme`. Anyone may call.
    function subsidyUsed(uint256 programme, address holder) external view returns (uint256);

    /// @notice The statement of `period`. Anyone may call.
    function getStatement(uint256 period) external view returns (Statement memory);

    /// @notice Totals in wei: received profits, donations, subsidies paid, and the budget still reserved. Anyone may call.
    function totals() external view returns (uint256 received, uint256 donated, uint256 subsidised, uint256 reserved);

    /// @notice The council allowed to create programmes. Anyone may call.
    function council() external view returns (address);
}
