"""A typed client for the sharing story: one method per action, each naming who acts.

Role-held actions (operator, regulator, auditor) are sent from the deployment's accounts;
merchants, buyers and custodians are passed in. Every action waits for its receipt. A revert
found while estimating gas surfaces as web3's ``ContractCustomError``; ``decode_error`` names it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD
from web3.types import TxReceipt

from deploy.compile import load_artifact
from sharing.deploy import CONTRACTS, SuiteAccounts, SuiteDeployment, send
from sharing.errors import DecodedRevert, decode_revert, error_table
from sharing.model import Ledger, Listing, ListingTerms, Restriction, Service, Stake, WelfareTotals


def advance_time(w3: Web3, seconds: int) -> int:
    """Move the node's clock forward (``evm_increaseTime``) and mine; returns the new block time."""
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    return int(w3.eth.get_block("latest")["timestamp"])


def _arg(contract: Contract, event: str, receipt: TxReceipt, name: str) -> Any:
    """Argument ``name`` of the first ``event`` that ``contract`` emitted in ``receipt``."""
    logs = contract.events[event]().process_receipt(receipt, errors=DISCARD)
    return logs[0]["args"][name]


class SharingClient:
    """Drives a deployed suite over web3. Amounts in wei unless a name says otherwise."""

    def __init__(self, w3: Web3, deployment: SuiteDeployment) -> None:
        self.w3 = w3
        self.deployment = deployment
        self._errors = error_table(load_artifact(n).abi for n in CONTRACTS)

    @property
    def accounts(self) -> SuiteAccounts:
        return self.deployment.accounts

    def contract(self, name: str) -> Contract:
        return self.deployment.contract(self.w3, name)

    @cached_property
    def compliance(self) -> Contract:
        return self.contract("ComplianceRegistry")

    @cached_property
    def rights(self) -> Contract:
        return self.contract("UsageRightToken")

    @cached_property
    def assets(self) -> Contract:
        return self.contract("AssetRegistry")

    @cached_property
    def merchants(self) -> Contract:
        return self.contract("MerchantRegistry")

    @cached_property
    def vault(self) -> Contract:
        return self.contract("RiskControlVault")

    @cached_property
    def presale(self) -> Contract:
        return self.contract("PresaleManager")

    @cached_property
    def settlement(self) -> Contract:
        return self.contract("ProfitSettlement")

    @cached_property
    def council(self) -> Contract:
        return self.contract("CustodianCouncil")

    @cached_property
    def welfare(self) -> Contract:
        return self.contract("WelfareFund")

    @cached_property
    def gateway(self) -> Contract:
        return self.contract("ConsumptionGateway")

    @cached_property
    def wbt(self) -> Contract:
        return self.contract("WabeiToken")

    def _send(self, call: Any, sender: str, action: str, value: int = 0) -> TxReceipt:
        return send(self.w3, call, sender, action, value)

    def decode_error(self, exc: ContractCustomError) -> DecodedRevert | None:
        """The suite's custom error behind ``exc`` (name and arguments), or None if it is not one."""
        data = exc.data if isinstance(exc.data, str) else exc.message
        return decode_revert(bytes.fromhex(str(data).removeprefix("0x")), self._errors)

    # --- regulator ---------------------------------------------------------------------------
    def set_kyc(self, account: str, level: int) -> TxReceipt:
        """Regulator sets ``account``'s KYC level (1 = buyer, 2 = merchant)."""
        return self._send(self.compliance.functions.setKycLevel(account, level), self.accounts.regulator, "kyc")

    def set_restriction(self, account: str, restriction: Restriction) -> TxReceipt:
        """Regulator blocks, allows or resets ``account``."""
        call = self.compliance.functions.setRestriction(account, int(restriction))
        return self._send(call, self.accounts.regulator, "restriction")

    def freeze(self, holder: str, listing: int, units: int) -> TxReceipt:
        """Regulator sets how many of ``holder``'s units of ``listing`` are frozen (0 unfreezes)."""
        call = self.rights.functions.setFrozenTokens(holder, listing, units)
        return self._send(call, self.accounts.regulator, "freeze")

    def forced_transfer(self, source: str, target: str, listing: int, units: int) -> TxReceipt:
        """Regulator moves units regardless of freezes and the transfer lock."""
        call = self.rights.functions.forcedTransfer(source, target, listing, units)
        return self._send(call, self.accounts.regulator, "forced transfer")

    # --- operator -----------------------------------------------------------------------------
    def register_merchant(self, merchant: str, profile_hash: bytes) -> TxReceipt:
        """Operator admits ``merchant`` (who needs KYC level 2)."""
        call = self.merchants.functions.registerMerchant(merchant, profile_hash)
        return self._send(call, self.accounts.operator, "register merchant")

    def record_pledge(self, merchant: str, share_units: int) -> TxReceipt:
        """Operator records share units the merchant pledged to the initiator."""
        return self._send(self.vault.functions.recordPledge(merchant, share_units), self.accounts.operator, "pledge")

    def register_house(self, merchant: str, document_hash: bytes) -> int:
        """Operator registers a house of ``merchant`` into its own custody; returns the asset id."""
        call = self.assets.functions.registerAsset(self.accounts.operator, merchant, document_hash)
        receipt = self._send(call, self.accounts.operator, "register house")
        return int(_arg(self.assets, "AssetRegistered", receipt, "assetId"))

    def activate(self, listing: int) -> TxReceipt:
        """Operator puts a Draft listing live (the merchant's stake must meet the minimum)."""
        return self._send(self.presale.functions.activate(listing), self.accounts.operator, "activate")

    def confirm_installment(self, listing: int, tranche: int) -> TxReceipt:
        """Operator accepts installment ``tranche``; its share of the cost budget goes to the merchant."""
        call = self.presale.functions.confirmInstallment(listing, tranche)
        return self._send(call, self.accounts.operator, "confirm installment")

    def require_buyback(self, listing: int) -> TxReceipt:
        """Operator requires the merchant to buy back what remains after the redemption window."""
        return self._send(self.presale.functions.requireBuyback(listing), self.accounts.operator, "require buyback")

    def declare_default(self, listing: int) -> TxReceipt:
        """Operator declares the merchant in default after an unfunded buyback's deadline."""
        return self._send(self.presale.functions.declareDefault(listing), self.accounts.operator, "default")

    def close(self, listing: int) -> TxReceipt:
        """Operator closes a delivered listing."""
        return self._send(self.presale.functions.close(listing), self.accounts.operator, "close")

    def settle(self, listing: int, fee_bps: int) -> TxReceipt:
        """Operator splits the attested profit: ``fee_bps`` (at most 5000) to the merchant, the rest to welfare."""
        return self._send(self.settlement.functions.settle(listing, fee_bps), self.accounts.operator, "settle")

    def register_service(self, listing: int, price: int, description_hash: bytes) -> int:
        """Operator adds a service of ``listing``'s merchant at ``price`` wei to the catalogue; returns its id."""
        call = self.gateway.functions.registerService(listing, price, description_hash)
        receipt = self._send(call, self.accounts.operator, "register service")
        return int(_arg(self.gateway, "ServiceRegistered", receipt, "serviceId"))

    def retire_service(self, service_id: int) -> TxReceipt:
        """Operator withdraws a service from the catalogue."""
        return self._send(self.gateway.functions.retireService(service_id), self.accounts.operator, "retire service")

    def release_stake(self, merchant: str) -> TxReceipt:
        """Operator returns the merchant's bond and clears its pledge (no listing may be open)."""
        return self._send(self.vault.functions.release(merchant), self.accounts.operator, "release stake")

    # --- merchant -----------------------------------------------------------------------------
    def post_bond(self, merchant: str, amount: int) -> TxReceipt:
        """Merchant posts ``amount`` wei of bond."""
        return self._send(self.vault.functions.postBond(), merchant, "post bond", amount)

    def create_listing(self, merchant: str, terms: ListingTerms) -> int:
        """Merchant creates a Draft listing for one of its houses; returns the listing id."""
        receipt = self._send(self.presale.functions.createListing(terms.as_abi()), merchant, "create listing")
        return int(_arg(self.presale, "ListingCreated", receipt, "listing"))

    def top_up_buyback(self, merchant: str, listing: int, amount: int) -> TxReceipt:
        """Merchant adds ``amount`` wei to the buyback pool."""
        return self._send(self.presale.functions.topUpBuyback(listing), merchant, "top up buyback", amount)

    def withdraw(self, payee: str) -> TxReceipt:
        """``payee`` (a merchant) pulls every tranche and settlement payout credited to it."""
        return self._send(self.presale.functions.withdraw(), payee, "withdraw")

    def report_cost(self, merchant: str, listing: int, cost: int, report_hash: bytes) -> TxReceipt:
        """Merchant reports the listing's total cost with the hash of its cost report."""
        call = self.settlement.functions.report(listing, cost, report_hash)
        return self._send(call, merchant, "report cost")

    # --- holders ------------------------------------------------------------------------------
    def buy(self, buyer: str, listing: int, units: int) -> TxReceipt:
        """Buyer pays ``units * price`` for units of an Active listing."""
        price = self.listing(listing).terms.price
        return self._send(self.presale.functions.buy(listing, units), buyer, "buy", units * price)

    def finalise(self, listing: int, sender: str | None = None) -> TxReceipt:
        """Anyone ends a sale whose window is over (or that sold out)."""
        return self._send(self.presale.functions.finalise(listing), sender or self.accounts.deployer, "finalise")

    def refund(self, holder: str, listing: int) -> TxReceipt:
        """Holder of a Failed listing gets back the price of every unit held."""
        return self._send(self.presale.functions.refund(listing), holder, "refund")

    def transfer(self, source: str, target: str, listing: int, units: int) -> TxReceipt:
        """Holder resells or gives ``units`` (a plain ERC-1155 transfer)."""
        call = self.rights.functions.safeTransferFrom(source, target, listing, units, b"")
        return self._send(call, source, "transfer")

    def donate(self, source: str, target: str, listing: int, units: int, memo: str) -> TxReceipt:
        """Holder donates ``units`` with a public memo."""
        return self._send(self.rights.functions.donate(target, listing, units, memo), source, "donate")

    def redeem(self, holder: str, listing: int, units: int) -> int:
        """Holder redeems ``units`` nights; returns the checkout time set as the house's ERC-4907 expiry."""
        receipt = self._send(self.gateway.functions.redeem(listing, units), holder, "redeem")
        return int(_arg(self.gateway, "NightsRedeemed", receipt, "checkout"))

    def claim_buyback(self, holder: str, listing: int) -> TxReceipt:
        """Holder sells every unit back at the buyback price."""
        return self._send(self.presale.functions.claimBuyback(listing), holder, "claim buyback")

    def buy_service(self, holder: str, programme: int, service_id: int, paid: int | None = None) -> TxReceipt:
        """Holder buys catalogue service ``service_id`` under ``programme``; sends the catalogue price
        less the subsidy unless ``paid`` is given. Only past redeemers of the listing are eligible."""
        if paid is None:
            price = self.service(service_id).price
            paid = price - self.quote_subsidy(programme, holder, price)
        call = self.gateway.functions.buyService(programme, service_id)
        return self._send(call, holder, "buy service", paid)

    # --- auditor, donors, council ---------------------------------------------------------------
    def attest(self, listing: int, report_hash: bytes) -> TxReceipt:
        """Auditor attests the merchant's cost report."""
        return self._send(self.settlement.functions.attest(listing, report_hash), self.accounts.auditor, "attest")

    def publish_statement(self, period: int, ledger_root: bytes, report_hash: bytes) -> TxReceipt:
        """Auditor publishes the welfare fund's statement for ``period``."""
        call = self.welfare.functions.publishStatement(period, ledger_root, report_hash)
        return self._send(call, self.accounts.auditor, "publish statement")

    def donate_to_fund(self, donor: str, amount: int, memo: str) -> TxReceipt:
        """Anyone donates ``amount`` wei to the welfare fund."""
        return self._send(self.welfare.functions.donate(memo), donor, "donate to fund", amount)

    def propose(self, custodian: str, target: str, data: bytes, description: str) -> int:
        """Custodian proposes calling ``target`` with ``data`` (its approval counts); returns the id."""
        call = self.council.functions.propose(target, data, description)
        receipt = self._send(call, custodian, "propose")
        return int(_arg(self.council, "ProposalCreated", receipt, "proposal"))

    def propose_programme(self, custodian: str, budget: int, rate_bps: int, per_unit_cap: int,
                          listing: int, expiry: int) -> int:
        """Custodian proposes a welfare subsidy programme; returns the proposal id. A holder may receive
        at most ``per_unit_cap`` wei per unit of ``listing`` it redeemed."""
        data = self.welfare.encode_abi("createProgramme", [budget, rate_bps, per_unit_cap, listing, expiry])
        return self.propose(custodian, self.welfare.address, Web3.to_bytes(hexstr=data),
                            f"subsidy programme for listing {listing}")

    def approve(self, custodian: str, proposal: int) -> TxReceipt:
        """Custodian approves ``proposal``."""
        return self._send(self.council.functions.approve(proposal), custodian, "approve")

    def revoke(self, custodian: str, proposal: int) -> TxReceipt:
        """Custodian withdraws its approval of ``proposal``."""
        return self._send(self.council.functions.revoke(proposal), custodian, "revoke")

    def execute(self, custodian: str, proposal: int) -> TxReceipt:
        """Custodian executes ``proposal`` (it needs the threshold of approvals)."""
        return self._send(self.council.functions.execute(proposal), custodian, "execute")

    def execute_programme(self, custodian: str, proposal: int) -> int:
        """Executes a ``propose_programme`` proposal; returns the new programme id."""
        receipt = self.execute(custodian, proposal)
        return int(_arg(self.welfare, "ProgrammeCreated", receipt, "programme"))

    # --- reads --------------------------------------------------------------------------------
    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def listing(self, listing: int) -> Listing:
        return Listing.from_abi(self.presale.functions.getListing(listing).call())

    def ledger(self, listing: int) -> Ledger:
        return Ledger.from_abi(self.presale.functions.getLedger(listing).call())

    def owed(self, payee: str) -> int:
        """Wei the presale has credited to ``payee`` and not yet paid out."""
        return int(self.presale.functions.owedTo(payee).call())

    def units(self, holder: str, listing: int) -> int:
        return int(self.rights.functions.balanceOf(holder, listing).call())

    def supply(self, listing: int) -> int:
        return int(self.rights.functions.totalSupply(listing).call())

    def eth(self, account: str) -> int:
        return int(self.w3.eth.get_balance(Web3.to_checksum_address(account)))

    def wbt_balance(self, account: str) -> int:
        return int(self.wbt.functions.balanceOf(account).call())

    def house_user(self, asset_id: int) -> tuple[ChecksumAddress, int]:
        """(current user or the zero address, recorded expiry) of a house."""
        user = self.assets.functions.userOf(asset_id).call()
        return Web3.to_checksum_address(user), int(self.assets.functions.userExpires(asset_id).call())

    def stake(self, merchant: str) -> Stake:
        shares, bond, seized = self.vault.functions.stakeOf(merchant).call()
        return Stake(int(shares), int(bond), bool(seized))

    def welfare_totals(self) -> WelfareTotals:
        return WelfareTotals(*(int(v) for v in self.welfare.functions.totals().call()))

    def service(self, service_id: int) -> Service:
        return Service.from_abi(self.gateway.functions.getService(service_id).call())

    def quote_subsidy(self, programme: int, holder: str, price: int) -> int:
        return int(self.welfare.functions.quoteSubsidy(programme, holder, price).call())
