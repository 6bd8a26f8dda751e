// Drives eth_simulateV1 with viem's own actions, as a wallet or dapp would call them.
//
//   node tests/js/viem_simulate.mjs <http_url>
//
// Each step prints "ok <step>" once its assertions hold; any failure prints the error and
// exits 1, and a watchdog exits 1 if the run exceeds TIMEOUT_MS.
import assert from "node:assert/strict";

import { createPublicClient, http, parseAbi, parseEther, encodeFunctionData } from "viem";

const TIMEOUT_MS = 60_000;
const ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const ACCOUNT_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const C = "0xc0dec0dec0dec0dec0dec0dec0dec0dec0dec0de";
// TIMESTAMP, NUMBER → return (timestamp, number): any selector answers it
const CLOCK = "0x42600052436020526040600" + "0f3";
// revert Error("nope")
const REASON = "08c379a0" + "20".padStart(64, "0") + "4".padStart(64, "0") +
  Buffer.from("nope").toString("hex").padEnd(64, "0");
const REVERTER = "0x610064600e6000396100646000fd" + REASON;
const clockAbi = parseAbi(["function now() view returns (uint256 time, uint256 number)"]);

const watchdog = setTimeout(() => { console.error("timed out"); process.exit(1); }, TIMEOUT_MS);
const client = createPublicClient({ transport: http(process.argv[2]) });

async function main() {
  const head = await client.getBlock();

  // simulateBlocks: two blocks, the second with number and time overrides. No gap: viem pairs
  // the i-th result with the i-th requested block, and geth (like Wabei) returns gap fillers.
  const blocks = await client.simulateBlocks({
    blocks: [
      {
        stateOverrides: [{ address: C, code: CLOCK }],
        calls: [{ to: C, abi: clockAbi, functionName: "now" }],
      },
      {
        blockOverrides: { number: head.number + 2n, time: head.timestamp + 600n },
        calls: [{ to: C, abi: clockAbi, functionName: "now" }],
      },
    ],
  });
  assert.deepEqual(blocks.map((b) => b.number), [1n, 2n].map((i) => head.number + i));
  assert.deepEqual(blocks[0].calls[0].result, [head.timestamp + 12n, head.number + 1n]);
  assert.deepEqual(blocks[1].calls[0].result, [head.timestamp + 600n, head.number + 2n]);
  assert.equal(blocks[1].parentHash, blocks[0].hash);
  console.log("ok simulateBlocks time and number");

  // A revert is a failed call with a decoded error, and the next call still runs.
  const reverted = await client.simulateBlocks({
    blocks: [{
      stateOverrides: [{ address: C, code: REVERTER }],
      calls: [
        { to: C, abi: clockAbi, functionName: "now" },
        { account: ACCOUNT_0, to: ACCOUNT_1, value: 1n },
      ],
    }],
  });
  const [failed, after] = reverted[0].calls;
  assert.equal(failed.status, "failure");
  assert.match(failed.error.shortMessage, /nope/);
  assert.equal(after.status, "success");
  console.log("ok simulateBlocks revert");

  // validation: a nonce from the future is refused with geth's code.
  await assert.rejects(
    client.simulateBlocks({
      validation: true,
      blocks: [{ calls: [{ account: ACCOUNT_0, to: ACCOUNT_1, nonce: 1000, maxFeePerGas: parseEther("0.000001") }] }],
    }),
    (e) => { assert.match(e.message + (e.details ?? ""), /nonce too high/); return true; },
  );
  console.log("ok simulateBlocks validation");

  // simulateCalls with traceTransfers: the ether transfer is an ERC-7528 log.
  const { results } = await client.simulateCalls({
    account: ACCOUNT_0,
    traceTransfers: true,
    calls: [{ to: ACCOUNT_1, value: parseEther("1") }],
  });
  assert.equal(results[0].status, "success");
  const [log] = results[0].logs;
  assert.equal(log.address.toLowerCase(), "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
  assert.equal(BigInt(log.data), parseEther("1"));
  console.log("ok simulateCalls traceTransfers");

  // traceAssetChanges: viem's own probes (eth_call with deployless code, state overrides)
  const traced = await client.simulateCalls({
    account: ACCOUNT_0,
    traceAssetChanges: true,
    calls: [{ to: ACCOUNT_1, value: parseEther("2") }],
  });
  const eth = traced.assetChanges.find((a) => a.token.symbol === "ETH");
  assert.ok(eth.value.diff <= -parseEther("2"), `ETH diff ${eth.value.diff}`);
  console.log("ok simulateCalls traceAssetChanges");

  assert.ok((await client.getBlockNumber()) === head.number, "nothing was mined");
  console.log("ok all");
}

main().then(() => { clearTimeout(watchdog); }).catch((e) => { console.error(e); process.exit(1); });
