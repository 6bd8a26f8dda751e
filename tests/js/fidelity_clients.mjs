// Issue 10's divergences, through viem and ethers as a dapp developer would meet them.
//
//   node tests/js/fidelity_clients.mjs <http_url>
//
// 1. EIP-7623: a creation whose gas limit is under its calldata floor is refused at submission
//    (geth's wording), and the clients' own estimate covers the floor.
// 2. EIP-7702: viem and ethers send a type-4 transaction with an authorization list and no
//    hand-set gas limit; the node's estimate counts the authorization, so it is mined.
// 3. The next block: after evm_setNextBlockTimestamp, a time-dependent call estimated with no
//    block tag (what both clients send) sees the new time, and the transaction then succeeds.
// 4. eth_createAccessList (viem's createAccessList): gasUsed includes intrinsic gas and the list
//    leaves out the coinbase.
// Each step prints "ok <step>"; a failure prints the error and exits 1; a watchdog bounds the run.
import assert from "node:assert/strict";

import { JsonRpcProvider, Wallet } from "ethers";
import { createPublicClient, createTestClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const TIMEOUT_MS = 90_000;
// Dev accounts 1, 2 and 3 of the standard mnemonic (account 0 is left to other steps).
const KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const KEY_2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const KEY_3 = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
const url = process.argv[2];
const watchdog = setTimeout(() => { console.error("timed out"); process.exit(1); }, TIMEOUT_MS);

const chain = { id: 31337, name: "wabei", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url] } } };
const publicClient = createPublicClient({ chain, transport: http(url) });
const testClient = createTestClient({ chain, mode: "anvil", transport: http(url) });
const viemAccount = privateKeyToAccount(KEY_1);
const wallet = createWalletClient({ chain, account: viemAccount, transport: http(url) });
// cacheTimeout -1: ethers otherwise answers a repeated eth_getTransactionCount from a 250 ms cache,
// and against an automining node a second send inside that window reuses a spent nonce.
const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, cacheTimeout: -1 });
const ethersWallet = new Wallet(KEY_2, provider);

const hex = (bytes) => Buffer.from(bytes).toString("hex");
// Initcode returning `runtime`: PUSH1 n DUP1 PUSH1 11 PUSH1 0 CODECOPY PUSH1 0 RETURN.
const initcode = (runtime) => "0x" + hex([0x60, runtime.length, 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3]) + hex(runtime);
// Reverts before `deadline`; else returns (number, timestamp, basefee).
const saleRuntime = (deadline) => Buffer.concat([
  Buffer.from([0x63]), Buffer.from(deadline.toString(16).padStart(8, "0"), "hex"),
  Buffer.from([0x42, 0x10, 0x60, 0x1b, 0x57, 0x43, 0x60, 0x00, 0x52, 0x42, 0x60, 0x20, 0x52,
    0x48, 0x60, 0x40, 0x52, 0x60, 0x60, 0x60, 0x00, 0xf3, 0x5b, 0x60, 0x00, 0x80, 0xfd])]);
// Delegate code: SSTORE(0, CALLER), so a delegated EOA records who called it.
const RECORDER = Buffer.from([0x33, 0x60, 0x00, 0x55, 0x00]);
const floorGas = (data) => {
  const zeros = data.filter((b) => b === 0).length;
  return 21_000 + 10 * (zeros + 4 * (data.length - zeros));
};

async function deploy(runtime) {
  const hash = await wallet.sendTransaction({ data: initcode(runtime) });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  return receipt.contractAddress;
}

async function floor() {
  const code = Buffer.concat([Buffer.from(initcode(saleRuntime(1)).slice(2), "hex")]);
  const data = Buffer.concat([code, Buffer.alloc(2_825 - code.length, 0xfe)]);
  const want = floorGas(data);
  const before = await publicClient.getBlockNumber();
  await assert.rejects(
    wallet.sendTransaction({ data: "0x" + hex(data), gas: 100_000n }),
    (e) => e.details?.includes(`insufficient gas for floor data gas cost: have 100000, want ${want}`) || (console.error(e), false));
  await assert.rejects(
    ethersWallet.sendTransaction({ data: "0x" + hex(data), gasLimit: 100_000n }),
    (e) => String(e.error?.message ?? e.message).includes("insufficient gas for floor data gas cost") || (console.error(e), false));
  assert.equal(await publicClient.getBlockNumber(), before, "nothing was mined");
  assert.equal(await publicClient.estimateGas({ account: viemAccount, data: "0x" + hex(data) }), BigInt(want));
  assert.equal(await provider.estimateGas({ from: ethersWallet.address, data: "0x" + hex(data) }), BigInt(want));
  const receipt = await (await ethersWallet.sendTransaction({ data: "0x" + hex(data) })).wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.gasUsed, BigInt(want));
  console.log("ok calldata floor");
}

async function delegation() {
  const recorder = await deploy(RECORDER);
  // viem: the account delegates to the recorder and calls itself; no gas limit is given.
  const authorization = await wallet.signAuthorization({ contractAddress: recorder, executor: "self" });
  const hash = await wallet.sendTransaction({ authorizationList: [authorization], to: viemAccount.address });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  assert.equal(await publicClient.getCode({ address: viemAccount.address }), "0xef0100" + recorder.slice(2).toLowerCase());
  const slot = await publicClient.getStorageAt({ address: viemAccount.address, slot: "0x0" });
  assert.equal(BigInt(slot), BigInt(viemAccount.address));
  // ethers: dev account 3 delegates; dev account 2 sends and pays, again without a gas limit.
  const authority = new Wallet(KEY_3, provider);
  const auth = await authority.authorize({ address: recorder });
  const tx = await ethersWallet.sendTransaction({ type: 4, to: authority.address, authorizationList: [auth] });
  const mined = await tx.wait();
  assert.equal(mined.status, 1);
  assert.equal(tx.gasLimit >= 21_000n + 25_000n, true, `gas limit ${tx.gasLimit} misses the authorization`);
  assert.equal(BigInt(await provider.getStorage(authority.address, 0)), BigInt(ethersWallet.address));
  console.log("ok eip-7702 without a hand-set gas limit");
}

async function nextBlock() {
  const head = await publicClient.getBlock();
  const deadline = Number(head.timestamp) + 1_000;
  const sale = await deploy(saleRuntime(deadline));
  await assert.rejects(publicClient.estimateGas({ account: viemAccount, to: sale }));
  await testClient.setNextBlockTimestamp({ timestamp: BigInt(deadline) });
  // Both clients estimate with no block tag: the next block, at the time it will have.
  const viemEstimate = await publicClient.estimateGas({ account: viemAccount, to: sale });
  const ethersEstimate = await provider.estimateGas({ from: ethersWallet.address, to: sale });
  assert.equal(viemEstimate, ethersEstimate);
  const pending = await publicClient.call({ to: sale, blockTag: "pending" });
  const words = pending.data.slice(2).match(/.{64}/g).map((w) => BigInt("0x" + w));
  const latest = await publicClient.getBlock();
  assert.deepEqual(words.slice(0, 2), [latest.number + 1n, BigInt(deadline)]);
  const viaEthers = await provider.call({ to: sale, blockTag: "pending" });
  assert.equal(viaEthers, pending.data);
  const hash = await wallet.sendTransaction({ to: sale });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  assert.equal((await publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp, BigInt(deadline));
  console.log("ok calls and estimates see the next block");
}

async function accessList() {
  const block = await publicClient.getBlock();
  const { accessList, gasUsed } = await publicClient.createAccessList({
    account: viemAccount, to: "0x000000000000000000000000000000000000bEEF", data: "0x01" });
  assert.equal(gasUsed >= 21_016n, true, `gasUsed ${gasUsed} leaves out intrinsic gas`);
  const listed = accessList.map((e) => e.address.toLowerCase());
  assert.equal(listed.includes(block.miner.toLowerCase()), false, "the coinbase is listed");
  const viaEthers = await provider.send("eth_createAccessList", [{ from: ethersWallet.address,
    to: "0x000000000000000000000000000000000000bEEF", data: "0x01" }]);
  assert.equal(BigInt(viaEthers.gasUsed), gasUsed);
  console.log("ok access list");
}

try {
  await floor();
  await delegation();
  await nextBlock();
  await accessList();
  console.log("ok all");
  clearTimeout(watchdog);
  provider.destroy();
} catch (e) {
  console.error(e);
  process.exit(1);
}
