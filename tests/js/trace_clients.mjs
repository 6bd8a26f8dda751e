// debug_trace* answers go through ethers v6 and viem 2 unchanged (docs/tracing.md).
//
//   node tests/js/trace_clients.mjs <http_url>
//
// Neither client has typed tracing methods (viem 2.57 has no debug_* action and its
// EIP-1193 type lists none), so a dapp calls them through ethers' `provider.send` and
// viem's `client.request`. For each of debug_traceTransaction, debug_traceCall and
// debug_traceBlockByNumber and each tracer, both clients must return exactly the JSON the
// node sent (read with a plain fetch); for each bad input, both must surface the node's
// JSON-RPC error with its code, and the node must answer the next request.
//
// Prints "ok <step>" per step and "ok all" at the end; any failure exits 1, and a watchdog
// exits 1 after TIMEOUT_MS.
import assert from "node:assert/strict";

import { JsonRpcProvider } from "ethers";
import { createPublicClient, http } from "viem";

const TIMEOUT_MS = 90_000;
const ACCOUNT_0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
// Runtime: SSTORE(0, 1); LOG0 of 32 bytes; STOP. Init code copies it out.
const RUNTIME = "600160005560206000a000";
const INIT = "0x600b80600c6000396000f300" + RUNTIME;

const url = process.argv[2];
const watchdog = setTimeout(() => {
  console.error(`timed out after ${TIMEOUT_MS} ms`);
  process.exit(1);
}, TIMEOUT_MS);

const ethers = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
const viem = createPublicClient({ transport: http(url, { retryCount: 0 }) });

async function raw(method, params) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return response.json();
}

async function mined(tx) {
  const hash = await ethers.send("eth_sendTransaction", [tx]);
  for (let i = 0; i < 100; i++) {
    const receipt = await ethers.send("eth_getTransactionReceipt", [hash]);
    if (receipt) return receipt;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no receipt for ${hash}`);
}

// Both clients give back what the node sent, unchanged.
async function same(method, params) {
  const expected = await raw(method, params);
  assert.equal(expected.error, undefined, `${method}: ${JSON.stringify(expected.error)}`);
  const viaEthers = await ethers.send(method, params);
  const viaViem = await viem.request({ method, params });
  assert.deepEqual(viaEthers, expected.result, `ethers changed ${method}`);
  assert.deepEqual(viaViem, expected.result, `viem changed ${method}`);
  return expected.result;
}

// Both clients throw with the node's code; the node then still answers.
async function refused(step, method, params, code, words) {
  const expected = await raw(method, params);
  assert.equal(expected.error?.code, code, `${step}: ${JSON.stringify(expected)}`);
  assert.match(expected.error.message, words, step);
  let thrown = null;
  try {
    await ethers.send(method, params);
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown, `${step}: ethers did not throw`);
  assert.equal(thrown.error?.code, code, `${step}: ethers' error ${thrown}`);
  assert.equal(thrown.error?.message, expected.error.message, step);
  thrown = null;
  try {
    await viem.request({ method, params });
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown, `${step}: viem did not throw`);
  assert.equal(thrown.code, code, `${step}: viem's error ${thrown}`);
  assert.ok(thrown.details.includes(expected.error.message), `${step}: ${thrown.details}`);
  assert.ok(Number(await viem.getBlockNumber({ cacheTime: 0 })) >= 1, `${step}: node stopped answering`);
  console.log(`ok refused ${step}`);
}

const TRACERS = {
  default: [{}, (r) => Array.isArray(r.structLogs) && r.structLogs.some((s) => s.op === "SSTORE")],
  callTracer: [
    { tracer: "callTracer", tracerConfig: { withLog: true } },
    (r) => r.type === "CALL" && r.logs.length === 1,
  ],
  prestateTracer: [
    { tracer: "prestateTracer", tracerConfig: { diffMode: true } },
    (r) => typeof r.pre === "object" && typeof r.post === "object",
  ],
  "4byteTracer": [{ tracer: "4byteTracer" }, (r) => typeof r === "object" && !Array.isArray(r)],
  noopTracer: [{ tracer: "noopTracer" }, (r) => Object.keys(r).length === 0],
};

async function main() {
  const deployed = await mined({ from: ACCOUNT_0, data: INIT });
  const target = deployed.contractAddress;
  const tx = await mined({ from: ACCOUNT_0, to: target, data: "0xdeadbeef00" });
  assert.equal(tx.status, "0x1");
  const call = { from: ACCOUNT_0, to: target, data: "0xdeadbeef00" };

  for (const [name, [options, looksRight]] of Object.entries(TRACERS)) {
    const byTx = await same("debug_traceTransaction", [tx.transactionHash, options]);
    assert.ok(looksRight(byTx), `${name} traceTransaction: ${JSON.stringify(byTx)}`);
    const byCall = await same("debug_traceCall", [call, "latest", options]);
    assert.ok(looksRight(byCall), `${name} traceCall: ${JSON.stringify(byCall)}`);
    const byBlock = await same("debug_traceBlockByNumber", [tx.blockNumber, options]);
    assert.equal(byBlock.length, 1);
    assert.equal(byBlock[0].txHash, tx.transactionHash);
    assert.deepEqual(byBlock[0].result, byTx);
    console.log(`ok ${name}`);
  }

  const h = tx.transactionHash;
  await refused("unknown tracer", "debug_traceTransaction", [h, { tracer: "fooTracer" }], -32602, /unknown tracer/);
  const js = "{data: [], step: function(log) {}, fault: function() {}, result: function() { return this.data; }}";
  await refused("javascript tracer", "debug_traceCall", [call, "latest", { tracer: js }], -32602, /JavaScript/);
  await refused("malformed tracerConfig", "debug_traceTransaction",
    [h, { tracer: "callTracer", tracerConfig: { onlyTopCall: "yes" } }], -32602, /onlyTopCall/);
  await refused("unknown transaction", "debug_traceTransaction", ["0x" + "ab".repeat(32), {}], -32001, /not found/);
  await refused("bad timeout", "debug_traceBlockByNumber", [tx.blockNumber, { timeout: "soon" }], -32602, /timeout/);
  console.log("ok all");
}

main()
  .then(() => {
    clearTimeout(watchdog);
    ethers.destroy();
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
