// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Supply} from "@openzeppelin/contracts/token/ERC1155/extensions/ERC1155Supply.sol";
import {IComplianceRegistry} from "./interfaces/IComplianceRegistry.sol";
import {IUsageRightToken} from "./interfaces/IUsageRightToken.sol";

/**
 * @title UsageRightToken
 * @notice Usage rights (id = listing, one unit = one use). Every movement consults the
 * ComplianceRegistry; ordinary transfers need the listing unlocked and enough unfrozen units.
 * Mint, burn and unlock: PRESALE role (the presale). Freeze and forced transfer: REGULATOR role. Holders use the
 * standard ERC-1155 transfers and `donate`.
 */
contract UsageRightToken is IUsageRightToken, ERC1155Supply, AccessManaged {
    IComplianceRegistry private immutable _compliance;
    mapping(uint256 id => bool) private _transferable;
    mapping(address account => mapping(uint256 id => uint256)) private _frozen;
    // Set only for the duration of a forced transfer, so that _update skips the freeze and lock checks.
    bool private transient _forcing;

    constructor(address authority, IComplianceRegistry compliance, string memory uri_)
        ERC1155(uri_)
        AccessManaged(authority)
    {
        _compliance = compliance;
    }

    /// @inheritdoc IUsageRightToken
    function mint(address to, uint256 id, uint256 amount) external restricted {
        _mint(to, id, amount, "");
    }

    /// @inheritdoc IUsageRightToken
    function burn(address from, uint256 id, uint256 amount) external restricted {
        _burn(from, id, amount);
    }

    /// @inheritdoc IUsageRightToken
    function unlock(uint256 id) external restricted {
        _transferable[id] = true;
        emit TransfersUnlocked(id);
    }

    /// @inheritdoc IUsageRightToken
    function donate(address to, uint256 id, uint256 amount, string calldata memo) external {
        _safeTransferFrom(msg.sender, to, id, amount, "");
        emit Donated(msg.sender, to, id, amount, memo);
    }

    /// @inheritdoc IUsageRightToken
    function setFrozenTokens(address account, uint256 id, uint256 amount) external restricted {
        _frozen[account][id] = amount;
        emit FrozenAmountSet(account, id, amount);
    }

    /// @inheritdoc IUsageRightToken
    function forcedTransfer(address from, address to, uint256 id, uint256 amount) external restricted {
        if (from == address(0)) revert ERC1155InvalidSender(address(0));
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = id;
        values[0] = amount;
        // `_update`, not `_safeTransferFrom`: no receiver callback runs while the freeze and lock
        // checks are off, so nothing can re-enter this token with `_forcing` set.
        _forcing = true;
        _update(from, to, ids, values);
        _forcing = false;
        uint256 left = balanceOf(from, id);
        if (_frozen[from][id] > left) {
            _frozen[from][id] = left;
            emit FrozenAmountSet(from, id, left);
        }
        emit TransferForced(from, to, id, amount);
    }

    /// @inheritdoc IUsageRightToken
    function getFrozenTokens(address account, uint256 id) external view returns (uint256) {
        return _frozen[account][id];
    }

    /// @inheritdoc IUsageRightToken
    function isTransferable(uint256 id) external view returns (bool) {
        return _transferable[id];
    }

    /// @inheritdoc IUsageRightToken
    function canTransact(address account) external view returns (bool) {
        return _compliance.isAllowed(account);
    }

    /// @inheritdoc IUsageRightToken
    function canTransfer(address from, address to, uint256 id, uint256 amount) external view returns (bool) {
        return _transferable[id] && _compliance.isAllowed(from) && _compliance.isAllowed(to)
            && amount <= _unfrozen(from, id);
    }

    function _unfrozen(address account, uint256 id) private view returns (uint256) {
        uint256 balance = balanceOf(account, id);
        uint256 frozen = _frozen[account][id];
        return balance > frozen ? balance - frozen : 0;
    }

    /// @dev The one place every mint, burn and transfer passes: compliance on both ends, then (unless
    /// forced) the transfer lock and the freeze.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values)
        internal
        virtual
        override
    {
        if (to != address(0)) _compliance.requireAllowed(to);
        if (from != address(0) && !_forcing) {
            _compliance.requireAllowed(from);
            // An approved operator moving someone else's units must not be blocked either.
            if (_msgSender() != from) _compliance.requireAllowed(_msgSender());
            for (uint256 i = 0; i < ids.length; ++i) {
                if (to != address(0) && !_transferable[ids[i]]) revert UsageRightNotTransferable(ids[i]);
                uint256 unfrozen = _unfrozen(from, ids[i]);
                if (values[i] > unfrozen) revert UsageRightInsufficientUnfrozen(from, ids[i], values[i], unfrozen);
            }
        }
        super._update(from, to, ids, values);
    }
}
