// Hardhat 2's in-process network as a reference node for tests/integration/test_geth_trace_parity.py:
// Prague, chain id 1337 (as the geth dev chain, so one signed transaction runs on all three nodes),
// the standard mnemonic's accounts, automine, 1 gwei initial base fee and a 30M block gas limit
// (Wabei's defaults).
module.exports = {
  networks: {
    hardhat: {
      chainId: 1337,
      hardfork: "prague",
      initialBaseFeePerGas: 1_000_000_000,
      blockGasLimit: 30_000_000,
      mining: { auto: true },
      // A reverted transaction is mined and answered with its hash, as on Wabei and geth.
      throwOnTransactionFailures: false,
      throwOnCallFailures: false,
    },
  },
};
