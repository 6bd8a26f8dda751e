// The transaction pool: pending (ready to mine) and queued (waiting for an earlier nonce).
import { eth, gwei, int } from "../fmt.js";
import { rpc } from "../rpc.js";
import { Address, Hash, Loaded, Table, useLoad } from "../ui.jsx";

export function Pending() {
  const state = useLoad(() => rpc("txpool_content"), []);
  return (
    <section>
      <h1>Pending pool</h1>
      <Loaded state={state} what="the pool">{(pool) => (
        <>
          {["pending", "queued"].map((kind) => {
            const txs = Object.values(pool[kind]).flatMap((byNonce) => Object.values(byNonce));
            return (
              <div data-testid={`pool-${kind}`}>
                <h2>{kind === "pending" ? "Pending" : "Queued"} ({txs.length})</h2>
                <Table head={["Hash", "From", "Nonce", "To", "Value", "Max fee"]} empty={`No ${kind} transactions.`} rows={txs.map((t) => [
                  <Hash kind="tx" value={t.hash} />, <Address value={t.from} />, int(t.nonce),
                  t.to ? <Address value={t.to} /> : "contract creation", eth(t.value), gwei(t.maxFeePerGas ?? t.gasPrice)])} />
              </div>
            );
          })}
          <button type="button" onClick={state.reload}>Refresh</button>
        </>
      )}</Loaded>
    </section>
  );
}
