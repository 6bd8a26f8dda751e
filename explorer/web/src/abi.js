// Which ABI describes a contract, and decoding with it. Sources, in order: an ABI a user
// uploaded to this node (wabei_getAbi), the contract's CNS record, and the project's compiled
// artefacts (bundled) for addresses a deployment manifest or the sharing suite names. Events of
// contracts with no known ABI are still decoded when any known ABI has the same event.
import { decodeErrorResult, decodeEventLog, decodeFunctionData, parseAbi, toEventSelector, toFunctionSelector } from "viem";
import ARTEFACTS from "./abis.generated.json";
import { CNS_ABI, CNS_ADDRESS, loadNames } from "./cns.js";
import { rpc } from "./rpc.js";

const STANDARD = parseAbi([
  "error Error(string message)",
  "error Panic(uint256 code)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event Approval(address indexed owner, address indexed spender, uint256 value)",
]);

const CNS_TTL_MS = 60_000;
let cnsCache = null; // {at, promise of {names, byAddress}}
const uploaded = new Map(); // address → abi | null, for this page's lifetime (cleared on upload)

/** The CNS names and an address → [{name, version, abi}] map. One read (an eth_call per name,
 * ~50-100 ms each on a busy node) is shared by every caller for a minute; the CNS page forces a
 * fresh one. */
export function cnsIndex(force = false) {
  if (!force && cnsCache && Date.now() - cnsCache.at < CNS_TTL_MS) return cnsCache.promise;
  cnsCache = { at: Date.now(), promise: buildIndex() };
  cnsCache.promise.catch(() => { cnsCache = null; });
  return cnsCache.promise;
}

async function buildIndex() {
  const names = await loadNames();
  const byAddress = new Map();
  for (const n of names) {
    for (const v of n.versions) {
      if (!byAddress.has(v.address)) byAddress.set(v.address, []);
      byAddress.get(v.address).push({ name: n.name, version: v.version, abi: v.abi });
    }
  }
  return { names, byAddress };
}

/** {abi, source} for `address`, or null when nothing describes it. */
export async function abiFor(address) {
  if (!address) return null;
  const a = address.toLowerCase();
  if (a === CNS_ADDRESS) return { abi: CNS_ABI, source: "the CNS precompile's interface" };
  if (!uploaded.has(a)) uploaded.set(a, await rpc("wabei_getAbi", [a]).catch(() => null));
  if (uploaded.get(a)) return { abi: uploaded.get(a), source: "uploaded to this node" };
  const records = (await cnsIndex()).byAddress.get(a) ?? [];
  const withAbi = records.find((r) => r.abi);
  if (withAbi) return { abi: withAbi.abi, source: `CNS record ${withAbi.name} ${withAbi.version}` };
  return null;
}

export function forgetUpload(address) {
  uploaded.delete(address.toLowerCase());
}

export const artefact = (name) => ARTEFACTS[name] ?? null;
export const artefactNames = () => Object.keys(ARTEFACTS);

/** Decode a call's input: {name, args: [{name, type, value}]} or null. */
export function decodeCall(abi, input) {
  if (!abi || !input || input.length < 10) return null;
  try {
    const { functionName, args } = decodeFunctionData({ abi, data: input });
    const fn = abi.find((e) => e.type === "function" && e.name === functionName
      && toFunctionSelector(e) === input.slice(0, 10));
    return { name: functionName, args: named(fn?.inputs ?? [], args ?? []) };
  } catch {
    return null;
  }
}

/** Decode a log with its contract's ABI, else any known event with that topic. */
export async function decodeLog(log, contractAbi) {
  for (const abi of [contractAbi, ...(await knownEventAbis())]) {
    if (!abi) continue;
    try {
      const { eventName, args } = decodeEventLog({ abi, data: log.data, topics: log.topics });
      const ev = abi.find((e) => e.type === "event" && e.name === eventName && toEventSelector(e) === log.topics[0]);
      return { name: eventName, args: named(ev?.inputs ?? [], args) };
    } catch { /* not this ABI */ }
  }
  return null;
}

/** A revert's data as text: a custom error of the ABI, Error(string) or Panic(uint256). */
export function decodeRevert(abi, data) {
  if (!data || data === "0x") return null;
  for (const candidate of [abi, STANDARD]) {
    if (!candidate) continue;
    try {
      const { errorName, args } = decodeErrorResult({ abi: candidate, data });
      if (errorName === "Error") return args[0];
      if (errorName === "Panic") return `panic 0x${args[0].toString(16)}`;
      const err = candidate.find((e) => e.type === "error" && e.name === errorName);
      return `${errorName}(${named(err?.inputs ?? [], args ?? []).map((a) => `${a.name}: ${a.text}`).join(", ")})`;
    } catch { /* next */ }
  }
  return `unknown revert data ${data.slice(0, 74)}${data.length > 74 ? "…" : ""}`;
}

async function knownEventAbis() {
  const fromCns = [...(await cnsIndex()).byAddress.values()].flat().map((r) => r.abi).filter(Boolean);
  return [CNS_ABI, ...fromCns, ...Object.values(ARTEFACTS), STANDARD];
}

function named(inputs, values) {
  const list = Array.isArray(values) ? values : inputs.map((p) => values[p.name]);
  return list.map((value, i) => ({ name: inputs[i]?.name || `arg${i}`, type: inputs[i]?.type ?? "?", value, text: textOf(value) }));
}

function textOf(value) {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(textOf).join(", ")}]`;
  if (value && typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${k}: ${textOf(v)}`).join(", ")}}`;
  return String(value);
}
