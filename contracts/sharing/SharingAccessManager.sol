// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

/**
 * @title SharingAccessManager
 * @notice OpenZeppelin's AccessManager, unchanged, as the authority of every sharing contract.
 * It exists only so the build emits an artefact for it. Roles (see sharing/roles.py): 0 ADMIN
 * (the custodian council once the suite is handed over), 1 OPERATOR, 2 REGULATOR, 3 AUDITOR,
 * 4 PRESALE (held only by PresaleManager), 5 GATEWAY (held only by ConsumptionGateway). The
 * deployment sets a grant delay on every role and an admin delay on every target, so a new grant
 * or a re-assignment of functions takes effect only after a public delay.
 */
contract SharingAccessManager is AccessManager {
    constructor(address initialAdmin) AccessManager(initialAdmin) {}
}
