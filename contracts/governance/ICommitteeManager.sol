// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title The committee at 0x0000000000000000000000000000000000010001 (FISCO BCOS v3 CommitteeManager)
/// @notice Governors with weights vote on proposals. Each create function stores a proposal that
/// expires `blockNumberInterval` blocks from now, casts the proposer's agreeing vote and returns its
/// id; the vote that makes a proposal pass executes it in the same transaction, as one call from
/// the committee's address to the target precompile. A refusal reverts with a reason.
/// Statuses: 0 not exist, 1 created, 2 passed (executed), 3 denied, 4 revoked, 5 outdated.
/// Wabei additions to FISCO's interface are marked (Wabei).
interface ICommitteeManager {
    /// @notice A proposal was made (`target` is the precompile it will call, `deadline` its last block).
    event ProposalCreated(uint256 indexed proposalId, address indexed proposer, uint8 proposalType,
                          address target, uint256 deadline);
    /// @notice A governor voted; `status` is the proposal's status after the vote.
    event ProposalVoted(uint256 indexed proposalId, address indexed voter, bool agree, uint8 status);
    /// @notice A passed proposal executed; `result` is what the target returned.
    event ProposalExecuted(uint256 indexed proposalId, address indexed target, bytes result);
    /// @notice The proposer withdrew an open proposal.
    event ProposalRevoked(uint256 indexed proposalId, address indexed proposer);
    /// @notice FISCO's event after each execution (always 0: a failed execution reverts).
    event execResult(int256 code);
    /// @notice A governor was added, re-weighted or (weight 0) removed.
    event GovernorUpdated(address indexed account, uint32 weight);
    /// @notice The thresholds changed.
    event RatesUpdated(uint8 participatesRate, uint8 winRate);

    /// @notice Add (weight > 0), re-weight or remove (weight 0) a governor. Type 11.
    function createUpdateGovernorProposal(address account, uint32 weight, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice Set the participation and win thresholds, in percent (0..100). Type 12.
    function createSetRateProposal(uint8 participatesRate, uint8 winRate, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice ContractAuth.setDeployAuthType (1 whitelist, 2 blacklist). Type 21.
    function createSetDeployAuthTypeProposal(uint8 deployAuthType, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice ContractAuth.openDeployAuth (openFlag) or closeDeployAuth. Type 22.
    function createModifyDeployAuthProposal(address account, bool openFlag, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice (Wabei) ContractAuth.setMethodAuthType(contractAddr, func, authType). Type 23.
    function createSetMethodAuthTypeProposal(address contractAddr, bytes4 func, uint8 authType,
                                             uint256 blockNumberInterval) external returns (uint256 proposalId);
    /// @notice (Wabei) ContractAuth.openMethodAuth (openFlag) or closeMethodAuth. Type 24.
    function createModifyMethodAuthProposal(address contractAddr, bytes4 func, address account, bool openFlag,
                                            uint256 blockNumberInterval) external returns (uint256 proposalId);
    /// @notice ContractAuth.resetAdmin(contractAddr, newAdmin). Type 31.
    function createResetAdminProposal(address newAdmin, address contractAddr, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice (Wabei) ContractAuth.setContractStatus(contractAddr, status). Type 32.
    function createSetContractStatusProposal(address contractAddr, uint8 status, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice SystemConfig.setValueByKey(key, value). Type 41.
    function createSetSysConfigProposal(string memory key, string memory value, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice Consensus: addSealer (addFlag, weight > 0), addObserver (addFlag, weight 0) or setWeight. Type 51.
    function createSetConsensusWeightProposal(string memory node, uint32 weight, bool addFlag,
                                              uint256 blockNumberInterval) external returns (uint256 proposalId);
    /// @notice Consensus.remove(node). Type 52.
    function createRmNodeProposal(string memory node, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice (Wabei) AccountManager.setAccountStatus(account, status); a governor cannot be frozen. Type 61.
    function createSetAccountStatusProposal(address account, uint8 status, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice (Wabei) Regulation (0x…1010).setRegulator(account, enable). Type 71.
    function createSetRegulatorProposal(address account, bool enable, uint256 blockNumberInterval)
        external returns (uint256 proposalId);
    /// @notice (Wabei) IdentityRegistry (0x…1011).setIssuer(issuer, enable). Type 72.
    function createSetKycIssuerProposal(address issuer, bool enable, uint256 blockNumberInterval)
        external returns (uint256 proposalId);

    /// @notice Vote on an open proposal; the passing vote executes it.
    function voteProposal(uint256 proposalId, bool agree) external;
    /// @notice Withdraw an open proposal (its proposer only).
    function revokeProposal(uint256 proposalId) external;
    /// @notice FISCO Committee.setWeight; only the committee itself (a passed type-11 proposal) may call it.
    function setWeight(address governor, uint32 weight) external;
    /// @notice FISCO Committee.setRate; only the committee itself (a passed type-12 proposal) may call it.
    function setRate(uint8 participatesRate, uint8 winRate) external;

    function isGovernor(address account) external view returns (bool);
    function getWeight(address governor) external view returns (uint32);
    function getCommitteeInfo() external view returns (uint8 participatesRate, uint8 winRate,
                                                      address[] memory governors, uint32[] memory weights);
    /// @notice (Wabei) FISCO ProposalManager's public `_proposalCount`: the last proposal id.
    function proposalCount() external view returns (uint256);
    function getProposalType(uint256 proposalId) external view returns (uint8);
    function getProposalStatus(uint256 proposalId) external view returns (uint8);

    /// @notice FISCO ProposalManager.ProposalInfo (`blockNumberInterval` holds the deadline block).
    struct ProposalInfo {
        address resourceId;
        address proposer;
        uint8 proposalType;
        uint256 blockNumberInterval;
        uint8 status;
        address[] agreeVoters;
        address[] againstVoters;
    }

    function getProposalInfo(uint256 proposalId) external view returns (
        address resourceId, address proposer, uint8 proposalType, uint256 blockNumberInterval, uint8 status,
        address[] memory agreeVoters, address[] memory againstVoters);
    /// @notice Proposals from..to (inclusive; clamped to the count).
    function getProposalInfoList(uint256 from, uint256 to) external view returns (ProposalInfo[] memory);
    /// @notice (Wabei) What a proposal executes and when it was created and executed (0: not yet).
    function getProposalAction(uint256 proposalId) external view returns (
        address target, bytes memory data, uint256 createdAt, uint256 executedAt);
}
