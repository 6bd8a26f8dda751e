// The node table of a network node's overview (wabei_networkNodes, docs/explorer.md): this node,
// its peers and the validators, with organisation, height, voting power and status. A devnet
// answers mode "devnet" and the table is not shown.
import { rpc } from "../rpc.js";
import { int, num, short } from "../fmt.js";
import { Failure, Table } from "../ui.jsx";

/** The node table's data, or {error} when the node's CometBFT did not answer (the rest of the
 *  overview still shows). */
export const loadNodes = () => rpc("wabei_networkNodes").catch((error) => ({ mode: "network", error }));

function status(n, table) {
  if (n.self) return table.catchingUp ? "this node · catching up" : "this node";
  return n.connected ? "connected" : "not connected";
}

function power(n, total) {
  if (num(n.power) === 0) return "observer";
  const share = total ? ` (${Math.round((100 * num(n.power)) / total)}%)` : "";
  return `${int(n.power)}${share}`;
}

export function NodeTable({ table }) {
  if (!table || table.mode !== "network") return null;
  if (table.error) return <section data-testid="nodes"><h2>Nodes</h2><Failure error={table.error} what="Could not read this node's network" /></section>;
  const total = num(table.totalPower);
  const peers = table.nodes.filter((n) => !n.self && n.connected).length;
  return (
    <section data-testid="nodes">
      <h2>Nodes</h2>
      <p class="muted" data-testid="nodes-summary">
        This node is at height {int(table.height)}, connected to {peers} peer{peers === 1 ? "" : "s"}; total voting power {int(table.totalPower)}.
      </p>
      <Table head={["Node", "Organisation", "Height", "Validator power", "Address", "Status"]} rows={table.nodes.map((n) => [
        <span title={n.nodeId ?? ""}>{n.name || "unknown"} <span class="muted mono">{short(n.nodeId ?? n.validatorAddress ?? "", 8)}</span></span>,
        n.organisation ?? <span class="muted">no certificate</span>,
        n.height == null ? <span class="muted">—</span> : int(n.height),
        power(n, total),
        n.address ?? <span class="muted">—</span>,
        <span data-testid="node-status">{status(n, table)}</span>,
      ])} />
    </section>
  );
}
