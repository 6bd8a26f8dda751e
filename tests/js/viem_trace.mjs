// Drives the trace_* methods (Parity-style traces) with viem 2, as a viem user would: viem has
// no trace actions, so it sends them through client.request, the way such tools do.
//
//   node tests/js/viem_trace.mjs <http_url>
//
// Deploys TraceNest from contracts/build (dev account #0, unlocked on the node), calls nest()
// and spawn(), and checks trace_transaction, trace_block, trace_filter, trace_call and the
// refusals. Prints "ok <step>" per step and "ok all" at the end; exits 1 on any failure or after
// TIMEOUT_MS.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { createPublicClient, createWalletClient, encodeFunctionData, http, toHex } from "viem";
import { foundry } from "viem/chains";

const TIMEOUT_MS = 60_000;
const ACCOUNT_0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const url = process.argv[2];
const watchdog = setTimeout(() => { console.error("timed out"); process.exit(1); }, TIMEOUT_MS);

const artifact = JSON.parse(readFileSync(new URL("../../contracts/build/TraceNest.json", import.meta.url)));
const bytecode = artifact.bytecode.startsWith("0x") ? artifact.bytecode : "0x" + artifact.bytecode;
const chain = { ...foundry, rpcUrls: { default: { http: [url] } } };
const client = createPublicClient({ chain, transport: http(url) });
const wallet = createWalletClient({ chain, transport: http(url), account: ACCOUNT_0 });

async function refused(args) {
  try {
    const result = await client.request(args);
    assert.fail(`${args.method} should fail, got ${JSON.stringify(result)}`);
  } catch (err) {
    assert.equal(err.code, -32602, `${args.method}: ${err.message}`);
    return err;
  }
}

async function main() {
  const deployHash = await wallet.deployContract({ abi: artifact.abi, bytecode });
  const deployed = await client.waitForTransactionReceipt({ hash: deployHash });
  const nest = deployed.contractAddress;
  const leaf = (await client.readContract({ address: nest, abi: artifact.abi, functionName: "leaf" })).toLowerCase();

  const hash = await wallet.writeContract({ address: nest, abi: artifact.abi, functionName: "nest", args: [5n], value: 3n });
  const receipt = await client.waitForTransactionReceipt({ hash });
  const traces = await client.request({ method: "trace_transaction", params: [hash] });
  assert.deepEqual(traces.map((t) => [t.type, t.traceAddress, t.subtraces]),
    [["call", [], 3], ["call", [0], 0], ["call", [1], 0], ["call", [2], 0]]);
  assert.equal(traces[0].blockNumber, Number(receipt.blockNumber));
  assert.equal(traces[0].transactionHash, hash);
  assert.equal(traces[1].action.to, leaf);
  assert.equal(traces[1].action.value, "0x3");
  assert.equal(traces[2].error, "Reverted");
  assert.equal(traces[3].action.callType, "delegatecall");
  assert.equal(traces[3].action.value, "0x3");
  console.log("ok trace_transaction");

  const block = await client.request({ method: "trace_block", params: [toHex(receipt.blockNumber)] });
  assert.deepEqual(block, traces);
  const filtered = await client.request({ method: "trace_filter", params: [{
    fromBlock: toHex(receipt.blockNumber), toBlock: toHex(receipt.blockNumber), toAddress: [leaf] }] });
  assert.deepEqual(filtered, traces.slice(1));
  console.log("ok trace_block trace_filter");

  const spawnHash = await wallet.writeContract({ address: nest, abi: artifact.abi, functionName: "spawn", args: [toHex(9, { size: 32 })] });
  await client.waitForTransactionReceipt({ hash: spawnHash });
  const spawned = await client.request({ method: "trace_transaction", params: [spawnHash] });
  assert.deepEqual(spawned.map((t) => t.type), ["call", "create", "create", "call", "suicide"]);
  assert.deepEqual(spawned[4].traceAddress, [2, 0]);
  assert.equal(spawned[4].action.refundAddress, ACCOUNT_0);
  assert.equal(spawned[2].action.creationMethod, "create2");
  console.log("ok creates and suicide");

  // nest(41): a different value from the mined nest(5), so `stored` changes
  const data = encodeFunctionData({ abi: artifact.abi, functionName: "nest", args: [41n] });
  const call = await client.request({ method: "trace_call", params: [{ from: ACCOUNT_0, to: nest, data }, ["trace", "stateDiff"], "latest"] });
  assert.equal(call.trace.length, 4);
  assert.equal(call.vmTrace, null);
  assert.ok(call.stateDiff[nest.toLowerCase()].storage[toHex(0, { size: 32 })]["*"]);
  console.log("ok trace_call");

  assert.equal(await client.request({ method: "trace_transaction", params: [toHex(1, { size: 32 })] }), null);
  await refused({ method: "trace_call", params: [{ from: ACCOUNT_0, to: nest }, ["vmTrace"], "latest"] });
  await refused({ method: "trace_call", params: [{ from: ACCOUNT_0, to: nest }, ["bogus"], "latest"] });
  await client.request({ method: "anvil_mine", params: ["0x66"] });
  const err = await refused({ method: "trace_filter", params: [{ fromBlock: "0x0", toBlock: "latest" }] });
  assert.match(err.details ?? err.message, /block range too large/);
  console.log("ok refusals");
}

main().then(() => { console.log("ok all"); clearTimeout(watchdog); },
  (err) => { console.error(err); process.exit(1); });
