// ethers v6 resolves Wabei CNS names through ENS, configured only with the registry address
// (and, in a second pass, with the universal resolver too).
//
//   node tests/js/ens_client.mjs <http_url> <expectations.json>
//
// expectations: {name, latest, pinnedName, pinned, version, token, tokenBalance, ghost}.
// Prints "ok <step>" per step and "ok all" at the end; any failure exits 1.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { Contract, EnsPlugin, JsonRpcProvider, Network } from "ethers";

const REGISTRY = "0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e";
const UNIVERSAL_RESOLVER = "0xeEeEEEeE14D718C2B47D9923Deab1335E144EeEe";
const CHAIN_ID = 31337;
const watchdog = setTimeout(() => { console.error("timeout"); process.exit(1); }, 60_000);

const [url, expectationsFile] = process.argv.slice(2);
const want = JSON.parse(readFileSync(expectationsFile, "utf8"));

function provider(withUniversal) {
  const network = new Network("wabei", CHAIN_ID);
  network.attachPlugin(new EnsPlugin(REGISTRY, CHAIN_ID, withUniversal ? UNIVERSAL_RESOLVER : undefined));
  return new JsonRpcProvider(url, network, { staticNetwork: network });
}

async function check(mode, p) {
  assert.equal(await p.resolveName(want.name), want.latest);
  assert.equal(await p.resolveName(want.name.toUpperCase()), want.latest);
  assert.equal(await p.resolveName(want.pinnedName), want.pinned);
  const resolver = await p.getResolver(want.name);
  assert.ok(resolver, "a resolver for " + want.name);
  assert.equal(await resolver.getText("version"), want.version);
  assert.equal(await resolver.getAddress(), want.latest);
  assert.equal(await p.resolveName(want.ghost), null);
  const token = new Contract(want.token, ["function balanceOf(address) view returns (uint256)"], p);
  assert.equal(await token.balanceOf(want.name), BigInt(want.tokenBalance));
  const byName = new Contract(want.name, ["function number() view returns (uint256)"], p);
  assert.equal(await byName.number(), 0n);
  console.log(`ok ${mode}`);
}

try {
  await check("registry", provider(false));
  await check("universal-resolver", provider(true));
  console.log("ok all");
  clearTimeout(watchdog);
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
