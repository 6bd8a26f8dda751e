// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ICustodianCouncil} from "./interfaces/ICustodianCouncil.sol";

/**
 * @title CustodianCouncil
 * @notice Threshold multisig of the welfare fund's custodians; see ICustodianCouncil. Approvals are
 * counted over the current custodians only, and each approval is stamped with the custodian's epoch,
 * which a replacement bumps: a replaced custodian that is later re-added does not regain its old
 * approvals. The threshold never drops below MIN_THRESHOLD.
 */
contract CustodianCouncil is ICustodianCouncil {
    /// @notice The fewest approvals any proposal needs, whatever the council decides.
    uint256 public constant MIN_THRESHOLD = 3;

    address[] private _custodians;
    uint256 private _threshold;
    uint256 private _nonce;
    mapping(uint256 proposal => Proposal) private _proposals;
    // An approval is valid while it equals the custodian's epoch + 1 (zero means none).
    mapping(uint256 proposal => mapping(address custodian => uint256)) private _approvedAt;
    mapping(address custodian => uint256) private _epochs;

    /// @param custodians_ The initial custodians (distinct, non-zero).
    /// @param threshold_ Approvals needed, between MIN_THRESHOLD and the number of custodians.
    constructor(address[] memory custodians_, uint256 threshold_) {
        for (uint256 i = 0; i < custodians_.length; ++i) {
            if (custodians_[i] == address(0) || isCustodian(custodians_[i])) revert CouncilInvalidCustodian(custodians_[i]);
            _custodians.push(custodians_[i]);
        }
        _setThreshold(threshold_);
    }

    modifier onlyCustodian() {
        if (!isCustodian(msg.sender)) revert CouncilNotCustodian(msg.sender);
        _;
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert CouncilOnlySelf(msg.sender);
        _;
    }

    /// @inheritdoc ICustodianCouncil
    function propose(address target, bytes calldata data, string calldata description)
        external
        onlyCustodian
        returns (uint256 proposal)
    {
        proposal = _nonce++;
        _proposals[proposal] = Proposal(target, data, msg.sender, false);
        emit ProposalCreated(proposal, msg.sender, target, data, description);
        _approve(proposal);
    }

    /// @inheritdoc ICustodianCouncil
    function approve(uint256 proposal) external onlyCustodian {
        _pending(proposal);
        if (hasApproved(proposal, msg.sender)) revert CouncilAlreadyApproved(proposal, msg.sender);
        _approve(proposal);
    }

    /// @inheritdoc ICustodianCouncil
    function revoke(uint256 proposal) external onlyCustodian {
        _pending(proposal);
        if (!hasApproved(proposal, msg.sender)) revert CouncilNotApproved(proposal, msg.sender);
        _approvedAt[proposal][msg.sender] = 0;
        emit ApprovalRevoked(proposal, msg.sender);
    }

    /// @inheritdoc ICustodianCouncil
    function execute(uint256 proposal) external onlyCustodian returns (bytes memory result) {
        Proposal storage p = _pending(proposal);
        uint256 approvals = approvalCount(proposal);
        if (approvals < _threshold) revert CouncilInsufficientApprovals(proposal, approvals, _threshold);
        p.executed = true;
        (bool ok, bytes memory returned) = p.target.call(p.data);
        if (!ok) revert CouncilCallFailed(proposal, returned);
        emit ProposalExecuted(proposal, msg.sender, returned);
        return returned;
    }

    /// @inheritdoc ICustodianCouncil
    function replaceCustodian(address previous, address replacement) external onlySelf {
        if (replacement == address(0) || isCustodian(replacement)) revert CouncilInvalidCustodian(replacement);
        for (uint256 i = 0; i < _custodians.length; ++i) {
            if (_custodians[i] == previous) {
                _custodians[i] = replacement;
                ++_epochs[previous]; // voids every approval `previous` gave, should it come back
                emit CustodianReplaced(previous, replacement);
                return;
            }
        }
        revert CouncilInvalidCustodian(previous);
    }

    /// @inheritdoc ICustodianCouncil
    function changeThreshold(uint256 threshold_) external onlySelf {
        _setThreshold(threshold_);
    }

    /// @inheritdoc ICustodianCouncil
    function custodians() external view returns (address[] memory) {
        return _custodians;
    }

    /// @inheritdoc ICustodianCouncil
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc ICustodianCouncil
    function nonce() external view returns (uint256) {
        return _nonce;
    }

    /// @inheritdoc ICustodianCouncil
    function isCustodian(address account) public view returns (bool) {
        for (uint256 i = 0; i < _custodians.length; ++i) {
            if (_custodians[i] == account) return true;
        }
        return false;
    }

    /// @inheritdoc ICustodianCouncil
    function approvalCount(uint256 proposal) public view returns (uint256 count) {
        for (uint256 i = 0; i < _custodians.length; ++i) {
            if (hasApproved(proposal, _custodians[i])) ++count;
        }
    }

    /// @inheritdoc ICustodianCouncil
    function hasApproved(uint256 proposal, address custodian) public view returns (bool) {
        return _approvedAt[proposal][custodian] == _epochs[custodian] + 1;
    }

    /// @inheritdoc ICustodianCouncil
    function getProposal(uint256 proposal) external view returns (Proposal memory) {
        if (proposal >= _nonce) revert CouncilUnknownProposal(proposal);
        return _proposals[proposal];
    }

    function _approve(uint256 proposal) private {
        _approvedAt[proposal][msg.sender] = _epochs[msg.sender] + 1;
        emit ProposalApproved(proposal, msg.sender);
    }

    function _pending(uint256 proposal) private view returns (Proposal storage p) {
        if (proposal >= _nonce) revert CouncilUnknownProposal(proposal);
        p = _proposals[proposal];
        if (p.executed) revert CouncilAlreadyExecuted(proposal);
    }

    function _setThreshold(uint256 threshold_) private {
        if (threshold_ < MIN_THRESHOLD || threshold_ > _custodians.length) {
            revert CouncilInvalidThreshold(threshold_, _custodians.length);
        }
        _threshold = threshold_;
        emit ThresholdChanged(threshold_);
    }
}
