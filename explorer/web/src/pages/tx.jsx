// One transaction: status, gas and fees, the decoded call, decoded events, the revert reason
// and the call tree (debug_traceTransaction's callTracer), each decoded with the ABI of the
// contract it concerns (src/abi.js says where ABIs come from).
import { abiFor, decodeCall, decodeLog, decodeRevert } from "../abi.js";
import { big, eth, gwei, int, num, time } from "../fmt.js";
import { rpc } from "../rpc.js";
import { Address, Failure, Link, Loaded, Rows, useLoad } from "../ui.jsx";

async function loadTx(hash) {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new Error(`"${hash}" is not a transaction hash (0x and 64 hex digits)`);
  const tx = await rpc("eth_getTransactionByHash", [hash]);
  if (!tx) throw new Error(`transaction ${hash} is not known to this node (neither mined nor pending)`);
  const receipt = tx.blockNumber ? await rpc("eth_getTransactionReceipt", [hash]) : null;
  const target = tx.to ?? receipt?.contractAddress;
  const contract = tx.to ? await abiFor(tx.to) : null;
  const call = decodeCall(contract?.abi, tx.input);
  const events = receipt ? await Promise.all(receipt.logs.map(async (log) => ({
    log, decoded: await decodeLog(log, (await abiFor(log.address))?.abi),
  }))) : [];
  let revert = null;
  if (receipt && receipt.status === "0x0") {
    const data = await rpc("ots_getTransactionError", [hash]).catch(() => null);
    revert = decodeRevert(contract?.abi, data) ?? "reverted without a reason";
  }
  const block = tx.blockNumber ? await rpc("eth_getBlockByNumber", [tx.blockNumber, false]) : null;
  return { tx, receipt, target, contract, call, events, revert, block };
}

export function Tx({ hash }) {
  const state = useLoad(() => loadTx(hash), [hash]);
  return (
    <section>
      <h1>Transaction</h1>
      <Loaded state={state} what={`transaction ${hash}`}>{(d) => <TxBody {...d} />}</Loaded>
    </section>
  );
}

function TxBody({ tx, receipt, contract, call, events, revert, block }) {
  const status = !receipt ? "pending" : receipt.status === "0x1" ? "success" : "failed";
  const fee = receipt ? big(receipt.gasUsed) * big(receipt.effectiveGasPrice) : null;
  return (
    <>
      <Rows rows={[
        ["Hash", <span class="mono" data-testid="tx-hash">{tx.hash}</span>],
        ["Status", <span class={`status ${status}`} data-testid="tx-status">{status}</span>],
        revert ? ["Revert reason", <span class="error-text" data-testid="tx-revert">{revert}</span>] : null,
        ["Block", tx.blockNumber ? <Link to={`/block/${num(tx.blockNumber)}`}>{int(tx.blockNumber)}</Link> : "not mined yet"],
        block ? ["Time", time(block.timestamp)] : null,
        ["From", <Address value={tx.from} />],
        ["To", tx.to ? <Address value={tx.to} /> : <>contract creation{receipt?.contractAddress ? <> → <Address value={receipt.contractAddress} /></> : null}</>],
        ["Value", eth(tx.value)],
        ["Nonce", int(tx.nonce)],
        ["Gas", receipt ? `${int(receipt.gasUsed)} used of ${int(tx.gas)}` : `limit ${int(tx.gas)}`],
        receipt ? ["Gas price", gwei(receipt.effectiveGasPrice)] : null,
        fee !== null ? ["Fee", <span data-testid="tx-fee">{eth(`0x${fee.toString(16)}`)}</span>] : null,
        ["Type", num(tx.type)],
      ]} />
      <h2>Call</h2>
      {call ? (
        <div class="decoded" data-testid="tx-method">
          <div><strong class="name">{call.name}</strong>{contract ? <span class="muted"> — ABI from {contract.source}</span> : null}</div>
          <Args args={call.args} />
        </div>
      ) : (
        <p class="muted" data-testid="tx-method">{tx.input === "0x" ? "No input (a plain transfer)." :
          tx.to ? "No ABI known for this contract: upload one on its address page to decode the input." : "Contract creation."}</p>
      )}
      <details><summary>Raw input ({(tx.input.length - 2) / 2} bytes)</summary><pre class="mono wrap">{tx.input}</pre></details>
      <h2>Events ({events.length})</h2>
      {events.length ? <ol class="events" data-testid="tx-events">{events.map(({ log, decoded }) => (
        <li>
          <Address value={log.address} />{" "}
          {decoded ? <><strong class="name">{decoded.name}</strong><Args args={decoded.args} /></> :
            <pre class="mono wrap">{log.topics.join("\n")}{"\n"}{log.data}</pre>}
        </li>))}</ol> : <p class="muted">No events.</p>}
      {receipt ? <CallTree hash={tx.hash} /> : null}
    </>
  );
}

const Args = ({ args }) => (
  <table class="args">
    <tbody>{args.map((a) => <tr><td class="muted">{a.name}</td><td class="muted">{a.type}</td><td class="mono wrap">{a.text}</td></tr>)}</tbody>
  </table>
);

function CallTree({ hash }) {
  const state = useLoad(() => rpc("debug_traceTransaction", [hash, { tracer: "callTracer" }]), [hash]);
  return (
    <>
      <h2>Call tree</h2>
      {state.error ? <Failure error={state.error} what="The node could not trace this transaction" /> :
        state.data === undefined ? <p class="loading">Tracing…</p> :
          <ul class="tree" data-testid="call-tree"><Frame frame={state.data} /></ul>}
    </>
  );
}

function Frame({ frame }) {
  const state = useLoad(async () => decodeCall((await abiFor(frame.to))?.abi, frame.input), [frame.to, frame.input]);
  const label = state.data?.name ?? (frame.input && frame.input.length >= 10 ? frame.input.slice(0, 10) : "");
  return (
    <li>
      <span class="tag">{frame.type}</span> <Address value={frame.to} />
      {label ? <span class="name"> {label}</span> : null}
      {big(frame.value) > 0n ? <span> {eth(frame.value)}</span> : null}
      <span class="muted"> gas {int(frame.gasUsed)}</span>
      {frame.error ? <span class="error-text"> ✗ {frame.error}{frame.revertReason ? `: ${frame.revertReason}` : ""}</span> : null}
      {frame.calls?.length ? <ul>{frame.calls.map((c) => <Frame frame={c} />)}</ul> : null}
    </li>
  );
}
