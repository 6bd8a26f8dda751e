// ethers v6 against a Wabei network: wallets sign locally and send round-robin to every node.
//
//   node tests/js/network_ethers.mjs <url> <url> ...
//
// Four wallets of the standard dev mnemonic (accounts #2..#5; other tests may have used them)
// each send transfers, every one to the next node in turn, with ethers
// picking the nonce (getTransactionCount "pending", which counts what the network's mempool
// holds once CheckTx has seen it); every transaction is awaited (a receipt only exists for a
// committed block), then every node must report the same block hashes. Prints "ok <step>";
// exits 1 on any failure or after TIMEOUT_MS.
import assert from "node:assert/strict";

import { HDNodeWallet, JsonRpcProvider, Mnemonic } from "ethers";

const TIMEOUT_MS = 90_000;
const MNEMONIC = "test test test test test test test test test test test junk";
const SINK = "0x" + "7e".repeat(20);
setTimeout(() => { console.error("timed out"); process.exit(1); }, TIMEOUT_MS).unref();

const urls = process.argv.slice(2);
const providers = urls.map((u) => new JsonRpcProvider(u, undefined, { staticNetwork: true, batchMaxCount: 1 }));
const mnemonic = Mnemonic.fromPhrase(MNEMONIC);
const wallets = [2, 3, 4, 5].map((i) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`));

async function main() {
  const network = await providers[0].getNetwork();
  assert.equal(network.chainId, 31337n);
  const sent = [];
  let turn = 0;
  for (let round = 0; round < 3; round++) {
    for (const wallet of wallets) {
      // Each sender's consecutive transactions go to different nodes; the nonce comes from the
      // node the transaction is sent to.
      const signer = wallet.connect(providers[turn++ % providers.length]);
      const tx = await signer.sendTransaction({ to: SINK, value: 1n + BigInt(round) });
      sent.push(tx);
    }
    await Promise.all(sent.slice(-wallets.length).map((tx) => tx.wait(1, 60_000)));
  }
  const receipts = await Promise.all(sent.map((tx) => providers[0].getTransactionReceipt(tx.hash)));
  assert.ok(receipts.every((r) => r !== null && r.status === 1));
  console.log(`ok ${sent.length} transfers mined`);
  const top = Math.max(...receipts.map((r) => r.blockNumber));
  for (let n = 1; n <= top; n++) {
    const hashes = await Promise.all(providers.map(async (p) => {
      for (;;) {
        const block = await p.getBlock(n);
        if (block !== null) return block.hash;
        await new Promise((r) => setTimeout(r, 200));
      }
    }));
    assert.ok(hashes.every((h) => h === hashes[0]), `block ${n}: ${hashes}`);
  }
  console.log(`ok blocks 1..${top} identical on ${urls.length} nodes`);
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
