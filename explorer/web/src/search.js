// Search: a block number, a transaction or block hash, an address, or a CNS name → a route.
import { resolveName } from "./cns.js";
import { rpc } from "./rpc.js";

/** The route for `query`, or throws an Error saying nothing matched. */
export async function searchRoute(query) {
  const q = query.trim();
  if (!q) throw new Error("type a block number, a hash, an address or a CNS name");
  if (/^\d+$/.test(q)) return `/block/${q}`;
  if (/^0x[0-9a-fA-F]{40}$/.test(q)) return `/address/${q.toLowerCase()}`;
  if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
    if (await rpc("eth_getTransactionByHash", [q])) return `/tx/${q}`;
    if (await rpc("eth_getBlockByHash", [q, false])) return `/block/${q}`;
    throw new Error(`no transaction or block has the hash ${q}`);
  }
  const name = q.replace(/\.wabei$/i, "");
  const address = await resolveName(name);
  if (address) return `/address/${address.toLowerCase()}`;
  throw new Error(`"${q}" is not a block number, hash, address or CNS name on this chain`);
}
