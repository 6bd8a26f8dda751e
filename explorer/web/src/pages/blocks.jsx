// The block list (newest first, 25 a page) and one block's page.
import { ago, eth, gwei, int, num, time } from "../fmt.js";
import { all, rpc } from "../rpc.js";
import { Address, Hash, Link, Loaded, Rows, Table, useLoad } from "../ui.jsx";

const PAGE = 25;

export function Blocks({ page = 0 }) {
  const state = useLoad(async () => {
    const head = num(await rpc("eth_blockNumber"));
    const top = head - page * PAGE;
    const numbers = [...Array(Math.max(0, Math.min(PAGE, top + 1))).keys()].map((i) => `0x${(top - i).toString(16)}`);
    return { head, blocks: await all(numbers.map((n) => ["eth_getBlockByNumber", [n, false]])) };
  }, [page]);
  return (
    <section>
      <h1>Blocks</h1>
      <Loaded state={state} what="blocks">{({ head, blocks }) => (
        <>
          <Table head={["Block", "Time", "Transactions", "Gas used", "Base fee", "Hash"]} rows={blocks.map((b) => [
            <Link to={`/block/${num(b.number)}`}>{int(b.number)}</Link>, ago(b.timestamp), b.transactions.length,
            int(b.gasUsed), gwei(b.baseFeePerGas), <Hash kind="block" value={b.hash} />])} />
          <p class="pager">
            {page > 0 ? <Link to={`/blocks/${page - 1}`}>← Newer</Link> : null}
            {(page + 1) * PAGE <= head ? <Link to={`/blocks/${page + 1}`}>Older →</Link> : null}
          </p>
        </>
      )}</Loaded>
    </section>
  );
}

/** `id` is a decimal number or a 0x hash, as typed in the URL. */
export function Block({ id }) {
  const state = useLoad(async () => {
    let block;
    if (/^\d+$/.test(id)) block = await rpc("eth_getBlockByNumber", [`0x${BigInt(id).toString(16)}`, true]);
    else if (/^0x[0-9a-fA-F]{64}$/.test(id)) block = await rpc("eth_getBlockByHash", [id, true]);
    else throw new Error(`"${id}" is neither a block number nor a 32-byte block hash`);
    if (!block) throw new Error(`block ${id} is not on this chain`);
    const details = await rpc("ots_getBlockDetails", [block.number]);
    return { block, details };
  }, [id]);
  return (
    <section>
      <Loaded state={state} what={`block ${id}`}>{({ block: b, details }) => {
        const n = num(b.number);
        return (
          <>
            <h1>Block <span data-testid="block-number">{int(b.number)}</span></h1>
            <Rows rows={[
              ["Hash", <span class="mono">{b.hash}</span>],
              ["Parent", n > 0 ? <Link to={`/block/${n - 1}`} class="mono">{b.parentHash}</Link> : <span class="mono">{b.parentHash}</span>],
              ["Time", `${time(b.timestamp)} (${ago(b.timestamp)})`],
              ["Transactions", b.transactions.length],
              ["Gas used", `${int(b.gasUsed)} of ${int(b.gasLimit)}`],
              ["Base fee", gwei(b.baseFeePerGas)],
              ["Fees paid", eth(details.totalFees)],
              ["Fee recipient", <Address value={b.miner} />],
              ["State root", <span class="mono">{b.stateRoot}</span>],
            ]} />
            <p class="pager">
              {n > 0 ? <Link to={`/block/${n - 1}`}>← Block {n - 1}</Link> : null}
              <Link to={`/block/${n + 1}`}>Block {n + 1} →</Link>
            </p>
            <h2>Transactions</h2>
            <Table head={["#", "Hash", "From", "To", "Value"]} empty="No transactions in this block." rows={b.transactions.map((t) => [
              num(t.transactionIndex), <Hash kind="tx" value={t.hash} />, <Address value={t.from} />,
              t.to ? <Address value={t.to} /> : "contract creation", eth(t.value)])} />
          </>
        );
      }}</Loaded>
    </section>
  );
}
