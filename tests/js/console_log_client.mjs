// ethers v6 and viem 2 read console.log output from the node: wabei_getConsoleLogs through
// each client's raw request, a transaction sent by ethers, and an eth_call made by viem.
//
//   node tests/js/console_log_client.mjs <http_url> <contract address> <abi json file>
//
// Prints one JSON object on its last line; tests/integration/test_console_log.py checks it
// (and the node's terminal) against what the contract logged. A watchdog exits 1 after
// TIMEOUT_MS, so a node that never answers cannot hang the suite.
import { readFileSync } from "node:fs";

import { Contract, JsonRpcProvider } from "ethers";
import { createPublicClient, http } from "viem";

const TIMEOUT_MS = 60_000;
const ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const ACCOUNT_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

setTimeout(() => {
  console.error("watchdog: timed out");
  process.exit(1);
}, TIMEOUT_MS).unref();

const [url, address, abiFile] = process.argv.slice(2);
const abi = JSON.parse(readFileSync(abiFile, "utf8"));

async function main() {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  const signer = await provider.getSigner(ACCOUNT_0);
  const logger = new Contract(address, abi, signer);
  const tx = await logger.logAll("from ethers", 7n, -7n, ACCOUNT_1, false, "0x" + "00".repeat(31) + "ff");
  const receipt = await tx.wait();
  const ethersLogs = await provider.send("wabei_getConsoleLogs", [receipt.hash]);

  const client = createPublicClient({ transport: http(url) });
  const viemLogs = await client.request({ method: "wabei_getConsoleLogs", params: [receipt.hash] });
  const count = await client.readContract({ address, abi, functionName: "shout", args: ["from viem"] });
  const unknown = await client.request({ method: "wabei_getConsoleLogs", params: ["0x" + "22".repeat(32)] });
  console.log(JSON.stringify({ hash: receipt.hash, ethersLogs, viemLogs, count: count.toString(), unknown }));
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
