// Drives a dev node with ethers v6 the way a dapp developer would.
//
//   node tests/js/ethers_client.mjs <http_url> <ws_url>
//
// Each step prints "ok <step>" once its assertions hold. Any failure prints
// the error and exits 1; a watchdog exits 1 if the whole run exceeds
// TIMEOUT_MS, so a node that never answers cannot hang the test suite.
//
// Expects the standard dev mnemonic ("test test ... junk"): account #0 is
// unlocked on the node (eth_sendTransaction) and account #1 signs locally
// (eth_sendRawTransaction). Both must hold ether.
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import {
  ContractFactory,
  JsonRpcProvider,
  Wallet,
  WebSocketProvider,
  ZeroAddress,
  isCallException,
} from "ethers";

const require = createRequire(import.meta.url);
const solc = require("solc");

const TIMEOUT_MS = 60_000;
const EVENT_TIMEOUT_MS = 15_000;
const ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const ACCOUNT_1_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ACCOUNT_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const RECIPIENT = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"; // account #2
const SUPPLY = 1_000_000n;

const TOKEN_SOURCE = `
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

contract Token {
    error Nope(uint256 code);

    event Transfer(address indexed from, address indexed to, uint256 value);

    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    uint256 private _attempts;

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        totalSupply = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "Token: balance");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    // Both write state so that ethers sends them as transactions (and so
    // estimates gas) unless told to staticCall.
    function boom() external {
        _attempts += 1;
        require(false, "Token: boom");
    }

    function nope(uint256 code) external {
        _attempts += 1;
        revert Nope(code);
    }
}
`;

/** Compile TOKEN_SOURCE with the pinned npm solc; returns { abi, bytecode }. */
function compileToken() {
  const input = {
    language: "Solidity",
    sources: { "Token.sol": { content: TOKEN_SOURCE } },
    settings: {
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  assert.equal(errors.length, 0, errors.map((e) => e.formattedMessage).join("\n"));
  const token = output.contracts["Token.sol"].Token;
  return { abi: token.abi, bytecode: "0x" + token.evm.bytecode.object };
}

/** Resolve with `promise`, or reject after `ms` naming `what`. */
function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Await `call`, which must reject; return the error. */
async function rejection(call) {
  try {
    await call();
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to revert");
}

function ok(step) {
  console.log(`ok ${step}`);
}

async function main(httpUrl, wsUrl) {
  const provider = new JsonRpcProvider(httpUrl);
  provider.pollingInterval = 250;
  let wsProvider = null;
  try {
    const { abi, bytecode } = compileToken();
    ok("compile");

    const signer = await provider.getSigner(0);
    assert.equal(signer.address, ACCOUNT_0);
    const wallet = new Wallet(ACCOUNT_1_KEY, provider);
    assert.equal(wallet.address, ACCOUNT_1);
    assert.ok((await provider.getBalance(wallet.address)) > 0n, "account #1 holds no ether");
    ok("accounts");

    const deployed = await new ContractFactory(abi, bytecode, signer).deploy(SUPPLY);
    const deployReceipt = await deployed.deploymentTransaction().wait();
    assert.equal(deployReceipt.status, 1);
    const address = await deployed.getAddress();
    assert.equal(deployReceipt.contractAddress, address);
    assert.notEqual(await provider.getCode(address), "0x");
    const token = deployed.connect(provider);
    ok("deploy via eth_sendTransaction");

    const fundReceipt = await (await token.connect(signer).transfer(wallet.address, 1_000n)).wait();
    assert.equal(fundReceipt.status, 1);
    const tx = await token.connect(wallet).transfer(RECIPIENT, 250n);
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    assert.equal(receipt.from, wallet.address);
    assert.equal(receipt.hash, tx.hash);
    const mined = await provider.getTransaction(tx.hash);
    assert.equal(mined.from, wallet.address);
    assert.equal(mined.blockNumber, receipt.blockNumber);
    ok("transfer via eth_sendRawTransaction");

    assert.equal(await token.balanceOf(ACCOUNT_0), SUPPLY - 1_000n);
    assert.equal(await token.balanceOf(wallet.address), 750n);
    assert.equal(await token.balanceOf(RECIPIENT), 250n);
    assert.equal(await token.totalSupply(), SUPPLY);
    ok("balances");

    const fromWallet = await token.queryFilter(token.filters.Transfer(wallet.address, null), 0, "latest");
    assert.equal(fromWallet.length, 1);
    assert.equal(fromWallet[0].transactionHash, tx.hash);
    assert.deepEqual([...fromWallet[0].args], [wallet.address, RECIPIENT, 250n]);
    const fromDeployer = await token.queryFilter(token.filters.Transfer(ACCOUNT_0));
    assert.deepEqual(fromDeployer.map((e) => [...e.args]), [[ACCOUNT_0, wallet.address, 1_000n]]);
    const minted = await token.queryFilter(token.filters.Transfer(ZeroAddress, null), deployReceipt.blockNumber);
    assert.deepEqual(minted.map((e) => [...e.args]), [[ZeroAddress, ACCOUNT_0, SUPPLY]]);
    const toWallet = await token.queryFilter(token.filters.Transfer(null, wallet.address));
    assert.deepEqual(toWallet.map((e) => e.transactionHash), [fundReceipt.hash]);
    const all = await token.queryFilter("Transfer", 0, "latest");
    assert.equal(all.length, 3);
    ok("queryFilter by topic");

    const staticErr = await rejection(() => token.boom.staticCall());
    assert.ok(isCallException(staticErr), `not a CALL_EXCEPTION: ${staticErr}`);
    assert.equal(staticErr.reason, "Token: boom");
    const estimateErr = await rejection(() => token.connect(signer).boom.estimateGas());
    assert.ok(isCallException(estimateErr), `not a CALL_EXCEPTION: ${estimateErr}`);
    assert.equal(estimateErr.reason, "Token: boom");
    const sendErr = await rejection(() => token.connect(wallet).boom());
    assert.ok(isCallException(sendErr), `not a CALL_EXCEPTION: ${sendErr}`);
    assert.equal(sendErr.reason, "Token: boom");
    ok("require reason on call and estimateGas");

    const customErr = await rejection(() => token.nope.staticCall(42n));
    assert.ok(isCallException(customErr), `not a CALL_EXCEPTION: ${customErr}`);
    assert.equal(customErr.revert?.name, "Nope");
    const parsed = token.interface.parseError(customErr.data);
    assert.equal(parsed?.name, "Nope");
    assert.deepEqual([...parsed.args], [42n]);
    const customEstimateErr = await rejection(() => token.connect(signer).nope.estimateGas(7n));
    assert.ok(isCallException(customEstimateErr), `not a CALL_EXCEPTION: ${customEstimateErr}`);
    // The provider, not the contract, raises estimateGas errors, so ethers
    // leaves `revert` unset there; the raw revert data must still come back.
    const parsedEstimate = token.interface.parseError(customEstimateErr.data);
    assert.equal(parsedEstimate?.name, "Nope");
    assert.deepEqual([...parsedEstimate.args], [7n]);
    ok("custom error decodes");

    wsProvider = new WebSocketProvider(wsUrl);
    const wsToken = token.connect(wsProvider);
    let gotTransfer;
    const transferSeen = new Promise((resolve) => {
      gotTransfer = resolve;
    });
    await wsToken.on("Transfer", (from, to, value, payload) => {
      gotTransfer({ from, to, value, hash: payload.log.transactionHash });
    });
    const blocksSeen = [];
    let gotBlock;
    const blockSeen = new Promise((resolve) => {
      gotBlock = resolve;
    });
    await wsProvider.on("block", (number) => {
      blocksSeen.push(number);
      gotBlock(number);
    });
    // ethers sends eth_subscribe without awaiting its reply; a round trip on
    // the same socket makes sure both subscriptions exist before we transact.
    assert.equal(await wsProvider.send("eth_chainId", []), await provider.send("eth_chainId", []));

    const wsTx = await token.connect(wallet).transfer(RECIPIENT, 5n);
    const wsReceipt = await wsTx.wait();
    const event = await within(EVENT_TIMEOUT_MS, "Transfer over websocket", transferSeen);
    assert.deepEqual(event, { from: wallet.address, to: RECIPIENT, value: 5n, hash: wsTx.hash });
    ok("websocket contract.on Transfer");

    await within(EVENT_TIMEOUT_MS, "block over websocket", blockSeen);
    assert.ok(blocksSeen.includes(wsReceipt.blockNumber), `blocks seen ${blocksSeen}, mined ${wsReceipt.blockNumber}`);
    ok("websocket block");

    await wsToken.removeAllListeners();
    await wsProvider.removeAllListeners();
  } finally {
    provider.destroy();
    if (wsProvider !== null) {
      await wsProvider.destroy();
    }
  }
}

const [httpUrl, wsUrl] = process.argv.slice(2);
if (!httpUrl || !wsUrl) {
  console.error("usage: node ethers_client.mjs <http_url> <ws_url>");
  process.exit(2);
}
const watchdog = setTimeout(() => {
  console.error(`FAILED: no result after ${TIMEOUT_MS} ms`);
  process.exit(1);
}, TIMEOUT_MS);
try {
  await main(httpUrl, wsUrl);
  clearTimeout(watchdog);
  console.log("ok all");
  process.exit(0);
} catch (err) {
  console.error("FAILED:", err);
  process.exit(1);
}
