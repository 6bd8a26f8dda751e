// The CNS page: every name, its owner, latest version and every version's address.
import { cnsIndex } from "../abi.js";
import { Address, Loaded, Table, useLoad } from "../ui.jsx";

export function Cns() {
  const state = useLoad(async () => (await cnsIndex(true)).names, []);
  return (
    <section>
      <h1>Contract Name Service</h1>
      <p class="muted">Names published in the CNS precompile (0x…1004); <code>NAME.wabei</code> resolves to the latest version.</p>
      <Loaded state={state} what="the CNS">{(names) => (
        <Table head={["Name", "Latest", "Versions", "Owner"]} empty="No names published yet." rows={names.map((n) => [
          <strong class="name" data-testid="cns-name">{n.name}</strong>,
          n.latest,
          <ul class="plain">{n.versions.map((v) => <li>{v.version} → <Address value={v.address} />{v.abi ? "" : " (no ABI)"}</li>)}</ul>,
          <Address value={n.owner} />])} />
      )}</Loaded>
    </section>
  );
}
