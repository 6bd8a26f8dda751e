// The sharing-economy suite (docs/sharing.md), read from its contracts with eth_call: listings
// and their escrow, settlements, the welfare fund's programmes and the custodian council's
// proposals and approvals. The contracts are found by their CNS names (`wabei sharing deploy`
// publishes them) and decoded with the project's compiled ABIs.
import { decodeFunctionResult, encodeFunctionData } from "viem";
import { artefact, cnsIndex } from "../abi.js";
import { eth, short } from "../fmt.js";
import { batch } from "../rpc.js";
import { Address, Loaded, Rows, Table, useLoad } from "../ui.jsx";

const LABELS = { PresaleManager: "presale", ProfitSettlement: "profit-settlement", WelfareFund: "welfare-fund", CustodianCouncil: "custodian-council" };
const STATES = ["None", "Draft", "Active", "Failed", "Succeeded", "Delivering", "Closed", "Settled"];
const MAX_ITEMS = 50; // newest listings, programmes and proposals shown

/** Read many view functions in one batch; a reverted read gives null. */
async function reads(calls) {
  const answers = await batch(calls.map(([c, fn, args = []]) => ["eth_call", [{ to: c.address, data: encodeFunctionData({ abi: c.abi, functionName: fn, args }) }, "latest"]]));
  return answers.map((a, i) => a.error ? null : decodeFunctionResult({ abi: calls[i][0].abi, functionName: calls[i][1], data: a.result }));
}

async function loadSharing() {
  const { names } = await cnsIndex(true);
  const suite = {};
  for (const [contract, label] of Object.entries(LABELS)) {
    const record = names.find((n) => n.name.toLowerCase() === label);
    const latest = record?.versions.find((v) => v.version === record.latest);
    if (latest) suite[contract] = { address: latest.address, abi: artefact(contract) };
  }
  if (!suite.PresaleManager) return null;
  const { PresaleManager: pm, ProfitSettlement: ps, WelfareFund: wf, CustodianCouncil: cc } = suite;
  const [count, totals, nonce, threshold, custodians] = await reads([[pm, "listingCount"], [wf, "totals"], [cc, "nonce"], [cc, "threshold"], [cc, "custodians"]]);
  const ids = range(Math.max(1, Number(count) - MAX_ITEMS + 1), Number(count));
  const listed = await reads(ids.flatMap((id) => [[pm, "getListing", [id]], [pm, "getLedger", [id]], [ps, "reportOf", [id]]]));
  const listings = ids.map((id, i) => ({ id, listing: listed[3 * i], ledger: listed[3 * i + 1], report: listed[3 * i + 2] }));
  const programmes = (await reads(range(1, MAX_ITEMS).map((id) => [wf, "getProgramme", [id]])))
    .map((p, i) => p && { id: i + 1, ...p }).filter(Boolean);
  const proposalIds = range(Math.max(0, Number(nonce) - MAX_ITEMS), Number(nonce) - 1);
  const props = await reads(proposalIds.flatMap((id) => [[cc, "getProposal", [id]], [cc, "approvalCount", [id]]]));
  const proposals = proposalIds.map((id, i) => ({ id, proposal: props[2 * i], approvals: props[2 * i + 1] }));
  return { suite, listings, totals, programmes, proposals, threshold, custodians };
}

function range(from, to) {
  const out = [];
  for (let i = BigInt(from); i <= BigInt(to); i++) out.push(i);
  return out;
}

export function Sharing() {
  const state = useLoad(loadSharing, []);
  return (
    <section>
      <h1>Sharing economy</h1>
      <Loaded state={state} what="the sharing suite">{(d) => d === null ? (
        <p class="muted" data-testid="sharing-missing">The sharing suite is not deployed on this chain: run <code>wabei sharing deploy</code> (it publishes the contracts in the CNS as presale, welfare-fund, …).</p>
      ) : <SharingBody {...d} />}</Loaded>
    </section>
  );
}

function SharingBody({ suite, listings, totals, programmes, proposals, threshold, custodians }) {
  return (
    <>
      <Rows rows={Object.entries(suite).map(([name, c]) => [name, <Address value={c.address} />])} />
      <h2>Listings and escrow</h2>
      <Table head={["Listing", "Merchant", "State", "Sold", "Raised", "Escrow", "Released", "Settlement"]} empty="No listings yet."
        rows={listings.map(({ id, listing: l, ledger: g, report: r }) => [
          <span data-testid="listing-id">{id.toString()}</span>, l ? <Address value={l.merchant} /> : "?",
          l ? `${STATES[l.state] ?? l.state}${l.defaulted ? " (defaulted)" : ""}` : "?",
          g ? g.sold.toString() : "?", g ? eth(g.raised) : "?", <span data-testid="listing-escrow">{g ? eth(g.escrow) : "?"}</span>,
          g ? eth(g.released) : "?",
          r ? (r.settled ? `settled: profit ${eth(r.profit)}, fee ${eth(r.fee)}, welfare ${eth(r.welfare)}` :
            r.attested ? "report attested" : r.reportHash !== "0x" + "0".repeat(64) ? "cost report filed" : "—") : "—"])} />
      <h2>Welfare fund</h2>
      {totals ? <Rows rows={[["Received (profit)", eth(totals[0])], ["Donated", eth(totals[1])], ["Subsidised", eth(totals[2])], ["Reserved", eth(totals[3])]]} /> : null}
      <Table head={["Programme", "Listing", "Budget", "Spent", "Rate", "Per-unit cap", "Status"]} empty="No programmes yet."
        rows={programmes.map((p) => [p.id, p.listing.toString(), eth(p.budget), eth(p.spent), `${Number(p.rateBps) / 100}%`, eth(p.perUnitCap), p.closed ? "closed" : "open"])} />
      <h2>Custodian council</h2>
      <p>{custodians ? `${custodians.length} custodians, ` : ""}{threshold !== null ? `${threshold} approvals needed` : ""}</p>
      <Table head={["Proposal", "Target", "Call", "Proposer", "Approvals", "Executed"]} empty="No proposals yet."
        rows={proposals.map(({ id, proposal: p, approvals }) => [id.toString(), p ? <Address value={p.target} /> : "?",
          p ? <span class="mono">{short(p.data, 10)}</span> : "?", p ? <Address value={p.proposer} /> : "?",
          approvals !== null ? `${approvals} of ${threshold}` : "?", p ? (p.executed ? "yes" : "no") : "?"])} />
    </>
  );
}
