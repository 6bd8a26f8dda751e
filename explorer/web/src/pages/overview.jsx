// The overview: chain id, head, totals, pending, fees, charts, latest blocks and transactions,
// refreshed on every new head the node announces over its WebSocket.
import { useEffect, useState } from "preact/hooks";
import { Chart } from "../chart.jsx";
import { ago, eth, gwei, int, num } from "../fmt.js";
import { all, live, liveState } from "../rpc.js";
import { Address, Failure, Hash, Link, Loading, Table } from "../ui.jsx";
import { loadNodes, NodeTable } from "./nodes.jsx";

const LATEST = 10;
const MIN_INTERVAL_MS = 1000;

async function loadOverview() {
  const [[chainId, head, gasPrice, pool, stats], nodes] = await Promise.all([all([
    ["eth_chainId", []], ["eth_getBlockByNumber", ["latest", false]], ["eth_gasPrice", []],
    ["txpool_status", []], ["wabei_chainStats", ["0xe", "0x64"]],
  ]), loadNodes()]);
  const top = num(head.number);
  const numbers = [...Array(Math.min(LATEST, top + 1)).keys()].map((i) => `0x${(top - i).toString(16)}`);
  const blocks = await all(numbers.map((n) => ["eth_getBlockByNumber", [n, true]]));
  return { chainId, head, gasPrice, pool, stats, blocks, nodes };
}

export function Overview() {
  const [state, setState] = useState({ data: null, error: null });
  const [, setLive] = useState(false);
  useEffect(() => {
    let alive = true;
    let timer = null;
    let last = 0;
    const load = () => {
      timer = null;
      last = Date.now();
      loadOverview().then((data) => alive && setState({ data, error: null }),
        (error) => alive && setState((s) => ({ ...s, error })));
    };
    // At most one reload per second: a node mining many blocks a second is summarised, not
    // replayed, and the page's cost on the node stays bounded (docs/benchmarks.md).
    const refresh = () => {
      if (timer === null) timer = setTimeout(load, Math.max(0, last + MIN_INTERVAL_MS - Date.now()));
    };
    load();
    liveState.onChange = () => alive && setLive(liveState.connected);
    const offHeads = live("newHeads", refresh);
    const offPending = live("newPendingTransactions", refresh);
    return () => { alive = false; clearTimeout(timer); offHeads(); offPending(); };
  }, []);
  const { data, error } = state;
  if (!data) return error ? <Failure error={error} what="Could not load the chain" /> : <Loading what="the chain" />;
  const { chainId, head, gasPrice, pool, stats, blocks, nodes } = data;
  const txs = blocks.flatMap((b) => b.transactions.map((t) => ({ ...t, timestamp: b.timestamp }))).slice(0, LATEST);
  const days = stats.perDay.map((d) => num(d.day));
  const recent = stats.recentBlocks;
  const times = recent.slice(1).map((b, i) => num(b.timestamp) - num(recent[i].timestamp));
  return (
    <section>
      <h1>Overview</h1>
      <p class="muted" data-testid="live-state">{liveState.connected ? "● live: updates on every new block" : "○ connecting for live updates…"}</p>
      <div class="cards">
        <Card label="Chain ID" value={int(chainId)} testid="chain-id" />
        <Card label="Head block" value={<Link to={`/block/${num(head.number)}`}>{int(head.number)}</Link>} sub={ago(head.timestamp)} testid="head" />
        <Card label="Transactions" value={int(stats.totalTransactions)} testid="total-txs" />
        <Card label="Pending" value={<Link to="/pending">{int(pool.pending)}</Link>} sub={`${int(pool.queued)} queued`} testid="pending" />
        <Card label="Gas price" value={gwei(gasPrice)} sub={`base fee ${gwei(head.baseFeePerGas)}`} testid="gas-price" />
      </div>
      <NodeTable table={nodes} />
      <div class="charts">
        <Chart testid="chart-days" title="Transactions per day (last 14 days)" x={days} ys={[stats.perDay.map((d) => num(d.transactions))]} labels={["transactions"]} bars time />
        <Chart testid="chart-blocks" title="Transactions per block (recent blocks)" x={recent.map((b) => num(b.number))} ys={[recent.map((b) => num(b.transactions))]} labels={["transactions"]} bars />
        <Chart testid="chart-time" title="Block time (seconds)" x={recent.slice(1).map((b) => num(b.number))} ys={[times]} labels={["seconds"]} />
      </div>
      <div class="two">
        <div>
          <h2>Latest blocks</h2>
          <Table head={["Block", "Age", "Txs", "Gas used"]} rows={blocks.map((b) => [
            <Link to={`/block/${num(b.number)}`} data-testid="latest-block">{int(b.number)}</Link>, ago(b.timestamp), b.transactions.length, int(b.gasUsed)])} />
          <p><Link to="/blocks">All blocks →</Link></p>
        </div>
        <div>
          <h2>Latest transactions</h2>
          <Table head={["Hash", "From", "To", "Value"]} empty="No transactions in the latest blocks." rows={txs.map((t) => [
            <Hash kind="tx" value={t.hash} />, <Address value={t.from} />, t.to ? <Address value={t.to} /> : "contract creation", eth(t.value)])} />
        </div>
      </div>
    </section>
  );
}

const Card = ({ label, value, sub, testid }) => (
  <div class="card" data-testid={testid}>
    <div class="label">{label}</div>
    <div class="value">{value}</div>
    {sub ? <div class="sub">{sub}</div> : null}
  </div>
);
