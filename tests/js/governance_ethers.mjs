// ethers v6 against the governance precompiles: a governor freezes an account through the
// AccountManager's FISCO interface, the frozen account's sends are refused with the reason,
// its balance stays, a non-governor's attempt reverts with who may, and unfreezing restores it.
//
//   node tests/js/governance_ethers.mjs <http_url>
//
// Prints "ok <step>" per step and "ok all" at the end; any failure exits 1.
import assert from "node:assert/strict";

import { Contract, JsonRpcProvider, Wallet, parseEther } from "ethers";

const watchdog = setTimeout(() => { console.error("timeout"); process.exit(1); }, 60_000);
const [url] = process.argv.slice(2);
const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
const governor = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", provider);
const user = new Wallet("0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97", provider); // dev 8
const ABI = [
  "function setAccountStatus(address account, uint8 status) returns (int32)",
  "function getAccountStatus(address account) view returns (uint8)",
];
const manager = new Contract("0x0000000000000000000000000000000000010003", ABI, governor);

const before = await provider.getBalance(user.address);
await (await manager.setAccountStatus(user.address, 1)).wait();
assert.equal(await manager.getAccountStatus(user.address), 1n);
console.log("ok frozen");

await assert.rejects(user.sendTransaction({ to: governor.address, value: 1n, gasLimit: 21000n }),
  (e) => /is frozen; its transactions are refused \(FISCO status 31 AccountFrozen\)/.test(e.message));
await assert.rejects(user.estimateGas({ to: governor.address, value: 1n }),
  (e) => e.code === "CALL_EXCEPTION" && /is frozen/.test(e.reason ?? e.message));
assert.equal(await provider.getBalance(user.address), before);
console.log("ok refused");

await (await manager.setAccountStatus(user.address, 0)).wait();
const receipt = await (await user.sendTransaction({ to: governor.address, value: parseEther("1") })).wait();
assert.equal(receipt.status, 1);
console.log("ok unfrozen");

// (a frozen account's call is refused before anything else: hence only now, unfrozen)
await assert.rejects(manager.connect(user).setAccountStatus.staticCall(governor.address, 1),
  (e) => e.code === "CALL_EXCEPTION" && /only the chain's governors/.test(e.reason ?? ""));
console.log("ok not-governor");
clearTimeout(watchdog);
console.log("ok all");
