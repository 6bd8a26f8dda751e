// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title ICustodianCouncil
 * @notice A threshold multisig of custodians (the initiator, a notary, a law firm, an auditor and the
 * custodian bank: 3 of 5). A custodian proposes a call; custodians approve or revoke; once enough
 * current custodians approve, any custodian executes it, once. Custodians and the threshold change
 * only by a proposal the council executes on itself. The council holds no money.
 */
interface ICustodianCouncil {
    /// @notice `account` is not a custodian.
    error CouncilNotCustodian(address account);
    /// @notice No proposal has id `proposal`.
    error CouncilUnknownProposal(uint256 proposal);
    /// @notice `custodian` already approved `proposal`.
    error CouncilAlreadyApproved(uint256 proposal, address custodian);
    /// @notice `custodian` has not approved `proposal`.
    error CouncilNotApproved(uint256 proposal, address custodian);
    /// @notice `proposal` was already executed.
    error CouncilAlreadyExecuted(uint256 proposal);
    /// @notice `proposal` has `approvals` approvals from current custodians; `threshold` are needed.
    error CouncilInsufficientApprovals(uint256 proposal, uint256 approvals, uint256 threshold);
    /// @notice Only the council itself (through an executed proposal) may do this; `caller` tried.
    error CouncilOnlySelf(address caller);
    /// @notice `threshold` is not between MIN_THRESHOLD (3) and the number of custodians `custodians`.
    error CouncilInvalidThreshold(uint256 threshold, uint256 custodians);
    /// @notice `account` cannot be a custodian here (zero, duplicate, or not the one being replaced).
    error CouncilInvalidCustodian(address account);
    /// @notice The call of `proposal` reverted with `reason`.
    error CouncilCallFailed(uint256 proposal, bytes reason);

    /// @notice A proposed call.
    struct Proposal {
        address target;
        bytes data;
        address proposer;
        bool executed;
    }

    /// @notice Emitted after a custodian proposed a call.
    event ProposalCreated(uint256 indexed proposal, address indexed proposer, address indexed target, bytes data, string description);
    /// @notice Emitted after a custodian approved a proposal.
    event ProposalApproved(uint256 indexed proposal, address indexed custodian);
    /// @notice Emitted after a custodian withdrew an approval.
    event ApprovalRevoked(uint256 indexed proposal, address indexed custodian);
    /// @notice Emitted after a proposal's call was executed.
    event ProposalExecuted(uint256 indexed proposal, address indexed executor, bytes result);
    /// @notice Emitted after the council replaced a custodian.
    event CustodianReplaced(address indexed previous, address indexed replacement);
    /// @notice Emitted after the number of approvals needed changed.
    event ThresholdChanged(uint256 threshold);

    /// @notice Proposes calling `target` with `data`; the proposer's approval counts at once. Returns the
    /// proposal id, which is the council's nonce before the call. Caller: a custodian.
    function propose(address target, bytes calldata data, string calldata description) external returns (uint256);

    /// @notice Approves `proposal`. Caller: a custodian who has not approved it.
    function approve(uint256 proposal) external;

    /// @notice Withdraws the caller's approval of an unexecuted `proposal`. Caller: a custodian who approved it.
    function revoke(uint256 proposal) external;

    /// @notice Executes `proposal` once enough current custodians approve; reverts if the call reverts.
    /// Caller: a custodian.
    function execute(uint256 proposal) external returns (bytes memory);

    /// @notice Replaces custodian `previous` by `replacement`; `previous`'s approvals are void for good, even if
    /// it is re-added later. Caller: the council itself.
    function replaceCustodian(address previous, address replacement) external;

    /// @notice Sets the number of approvals needed (at least 3, at most the custodians). Caller: the council itself.
    function changeThreshold(uint256 threshold) external;

    /// @notice The current custodians. Anyone may call.
    function custodians() external view returns (address[] memory);

    /// @notice The approvals needed to execute. Anyone may call.
    function threshold() external view returns (uint256);

    /// @notice The number of proposals made so far (the next proposal's id). Anyone may call.
    function nonce() external view returns (uint256);

    /// @notice Whether `account` is a custodian. Anyone may call.
    function isCustodian(address account) external view returns (bool);

    /// @notice Approvals of `proposal` by current custodians. Anyone may call.
    function approvalCount(uint256 proposal) external view returns (uint256);

    /// @notice Whether `custodian` approved `proposal` (and has not been replaced since). Anyone may call.
    function hasApproved(uint256 proposal, address custodian) external view returns (bool);

    /// @notice The proposal `proposal`. Anyone may call.
    function getProposal(uint256 proposal) external view returns (Proposal memory);
}
