// An address: balance, nonce, code; for a contract its CNS names and versions, its creator and
// the ABI the page decodes it with, with a form to upload one (an ABI, or a deployment manifest
// whose contracts are matched to the project's compiled artefacts). Transactions sent and
// received come from ots_searchTransactionsBefore (the node's lazy address index).
import { useState } from "preact/hooks";
import { abiFor, artefact, cnsIndex, forgetUpload } from "../abi.js";
import { eth, int, num, time } from "../fmt.js";
import { all, rpc } from "../rpc.js";
import { Address, Hash, Link, Loaded, Rows, Table, useLoad } from "../ui.jsx";

const PAGE = 25;
export const MAX_UPLOAD = 256 * 1024; // the node's bound (chain/api/abi_store.py MAX_ABI_BYTES)

export function AddressPage({ address }) {
  const [before, setBefore] = useState(0);
  const valid = /^0x[0-9a-fA-F]{40}$/.test(address);
  const info = useLoad(async () => {
    if (!valid) throw new Error(`"${address}" is not an address (0x and 40 hex digits)`);
    const [balance, nonce, code, creator] = await all([
      ["eth_getBalance", [address, "latest"]], ["eth_getTransactionCount", [address, "latest"]],
      ["eth_getCode", [address, "latest"]], ["ots_getContractCreator", [address]]]);
    const names = (await cnsIndex()).byAddress.get(address.toLowerCase()) ?? [];
    return { balance, nonce, code, creator, names, abi: await abiFor(address) };
  }, [address]);
  const txs = useLoad(async () => valid ? rpc("ots_searchTransactionsBefore", [address, before, PAGE]) : null, [address, before]);
  return (
    <section>
      <h1>Address</h1>
      <p class="mono wrap" data-testid="address">{address}</p>
      <Loaded state={info} what="the address">{(d) => (
        <>
          <Rows rows={[
            ["Balance", <span data-testid="balance">{eth(d.balance)}</span>],
            ["Nonce", int(d.nonce)],
            ["Code", d.code === "0x" ? "none (an account)" : `${(d.code.length - 2) / 2} bytes (a contract)`],
            d.creator ? ["Created by", <><Address value={d.creator.creator} /> in <Hash kind="tx" value={d.creator.hash} /></>] : null,
            d.names.length ? ["CNS", <span data-testid="cns-names">{d.names.map((n) => `${n.name} ${n.version}`).join(", ")}</span>] : null,
            d.code !== "0x" ? ["ABI", d.abi ? `from ${d.abi.source}` : "none known"] : null,
          ]} />
          {d.code !== "0x" ? <Upload address={address} onDone={info.reload} /> : null}
        </>
      )}</Loaded>
      <h2>Transactions sent and received</h2>
      <Loaded state={txs} what="transactions">{(page) => page ? (
        <>
          <Table head={["Hash", "Block", "Time", "From", "To", "Value", "Status"]} empty="No transactions." rows={page.txs.map((t, i) => [
            <Hash kind="tx" value={t.hash} />, <Link to={`/block/${num(t.blockNumber)}`}>{int(t.blockNumber)}</Link>,
            time(page.receipts[i].timestamp), <Address value={t.from} />, t.to ? <Address value={t.to} /> : "creation",
            eth(t.value), page.receipts[i].status === "0x1" ? "ok" : "failed"])} />
          <p class="pager">
            {before ? <button type="button" class="link" onClick={() => setBefore(0)}>← Newest</button> : null}
            {!page.lastPage && page.txs.length ? <button type="button" class="link" onClick={() => setBefore(num(page.txs.at(-1).blockNumber))}>Older →</button> : null}
          </p>
        </>) : null}</Loaded>
    </section>
  );
}

function Upload({ address, onDone }) {
  const [message, setMessage] = useState(null);
  const [text, setText] = useState("");
  async function send(body) {
    setMessage(null);
    try {
      if (body.length > MAX_UPLOAD) throw new Error(`the file is ${body.length} bytes; an ABI may be at most ${MAX_UPLOAD} bytes`);
      let parsed;
      try { parsed = JSON.parse(body); } catch (e) { throw new Error(`not valid JSON: ${e.message}`); }
      if (parsed && !Array.isArray(parsed) && Array.isArray(parsed.deployments)) {
        setMessage({ ok: true, text: await fromManifest(parsed) });
      } else {
        await rpc("wabei_putAbi", [address, body]);
        setMessage({ ok: true, text: "ABI stored on this node." });
      }
      forgetUpload(address);
      onDone();
    } catch (e) {
      setMessage({ ok: false, text: `Upload refused: ${e.message}` });
    }
  }
  return (
    <form class="upload" data-testid="abi-upload" onSubmit={(e) => { e.preventDefault(); send(text); }}>
      <h2>Upload an ABI</h2>
      <p class="muted">A JSON ABI array, or a deployment manifest (deployments/&lt;chain id&gt;.json) whose contracts are compiled in this project. It is kept on this node only.</p>
      <input type="file" accept=".json,application/json" data-testid="abi-file"
        onChange={async (e) => { const f = e.currentTarget.files[0]; if (f) send(f.size > MAX_UPLOAD ? "x".repeat(MAX_UPLOAD + 1) : await f.text()); }} />
      <textarea rows="4" placeholder='[{"type":"function","name":"transfer",...}]' value={text} data-testid="abi-text"
        onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit">Upload</button>
      {message ? <p class={message.ok ? "ok" : "error"} role="status" data-testid="abi-message">{message.text}</p> : null}
    </form>
  );
}

async function fromManifest(manifest) {
  const stored = [];
  const unknown = [];
  for (const d of manifest.deployments) {
    const name = String(d.contract ?? "").split(":").pop();
    const abi = artefact(name);
    if (!abi || !/^0x[0-9a-fA-F]{40}$/.test(String(d.address))) { unknown.push(name || "?"); continue; }
    await rpc("wabei_putAbi", [d.address, abi]);
    forgetUpload(d.address);
    stored.push(name);
  }
  if (!stored.length) throw new Error(`the manifest names no contract compiled in this project (${unknown.join(", ") || "no deployments"})`);
  return `Stored the ABIs of ${stored.join(", ")} from the manifest.${unknown.length ? ` Not compiled here: ${unknown.join(", ")}.` : ""}`;
}

