// Hardhat 2 project that drives a running Wabei node over JSON-RPC.
//
// Run from this directory:
//   WABEI_URL=http://127.0.0.1:8545 npx hardhat test --network wabei
//
// Plugins and the compiler resolve from the repository root's node_modules
// (Node walks up from here), so this project has no package.json of its own.
const path = require("node:path");
const { subtask } = require("hardhat/config");
const {
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
} = require("hardhat/builtin-tasks/task-names");

require("@nomicfoundation/hardhat-ethers");
require("@nomicfoundation/hardhat-chai-matchers");

const SOLC_VERSION = "0.8.30";

// The test machines have no route to binaries.soliditylang.org, so Hardhat
// must not try to download a compiler. Serve the pinned npm solc (soljson)
// instead; Hardhat then runs it as solcjs in a child process.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }, _hre, runSuper) => {
  if (solcVersion !== SOLC_VERSION) {
    return runSuper();
  }
  const solc = require("solc");
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: solcVersion,
    longVersion: solc.version(),
  };
});

/** @type {import("hardhat/config").HardhatUserConfig} */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: false },
    },
  },
  networks: {
    // accounts defaults to "remote": the node's unlocked dev accounts sign
    // through eth_sendTransaction.
    wabei: {
      url: process.env.WABEI_URL || "http://127.0.0.1:8545",
      timeout: 60_000,
    },
    // One node of a consortium network (`wabei network up`): no automine, a
    // receipt exists once CometBFT commits the block (about a second), and
    // no evm_*/hardhat_* methods. The node signs for the devnet's accounts
    // when the network was made without --alloc.
    //   WABEI_NETWORK_URL=http://127.0.0.1:8545 npx hardhat test --network wabeiNetwork
    wabeiNetwork: {
      url: process.env.WABEI_NETWORK_URL || "http://127.0.0.1:8545",
      timeout: 60_000,
    },
  },
  paths: {
    root: __dirname,
    sources: path.join(__dirname, "contracts"),
    tests: path.join(__dirname, "test"),
    cache: path.join(__dirname, "cache"),
    artifacts: path.join(__dirname, "artifacts"),
  },
  mocha: {
    timeout: 60_000,
  },
};
