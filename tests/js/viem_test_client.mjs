// viem's test client against a Wabei dev node: every test action viem 2.57 offers, in the mode
// given ('anvil' or 'hardhat'), each followed by a check of its effect through the public client.
// Usage: node viem_test_client.mjs <http url> <anvil|hardhat>; prints "ok <action>" lines and
// "ok all" at the end, exits non-zero on the first failure.
import assert from 'node:assert/strict'
import {
  createPublicClient, createTestClient, createWalletClient, http, parseEther, parseGwei,
  keccak256, toHex, numberToHex,
} from 'viem'
import { foundry, hardhat } from 'viem/chains'

const [url, mode] = process.argv.slice(2)
assert.ok(url && (mode === 'anvil' || mode === 'hardhat'), 'usage: viem_test_client.mjs <url> <anvil|hardhat>')
const chain = mode === 'anvil' ? foundry : hardhat
const transport = http(url)
const test = createTestClient({ chain, mode, transport })
const pub = createPublicClient({ chain, transport, pollingInterval: 50, cacheTime: 0 })

const A0 = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'
const A1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const OTHER = '0x000000000000000000000000000000000000beef'
const UNSIGNED = '0x000000000000000000000000000000000000cafe'
const CONTRACT = '0x00000000000000000000000000000000000c0de0'
const wallet = (account) => createWalletClient({ account, chain, transport })
const ok = (name) => console.log(`ok ${name}`)
const latest = () => pub.getBlock({ blockTag: 'latest' })

async function rejects(promise, pattern, name) {
  let error = null
  try { await promise } catch (e) { error = e }
  assert.ok(error, `${name}: expected a failure`)
  const text = `${error.details ?? ''} ${error.shortMessage ?? ''} ${error.message ?? ''}`
  assert.match(text, pattern, `${name}: ${text}`)
}

async function send(from, to, value) {
  const hash = await wallet(from).sendTransaction({ to, value })
  return pub.waitForTransactionReceipt({ hash })
}

// -- mining ---------------------------------------------------------------------------------
assert.equal(await test.getAutomine(), true)
ok('getAutomine')

let n = await pub.getBlockNumber()
await test.mine({ blocks: 3 })
assert.equal(await pub.getBlockNumber(), n + 3n)
const t0 = (await latest()).timestamp
await test.mine({ blocks: 2, interval: 10 })
const b2 = await latest()
const b1 = await pub.getBlock({ blockNumber: b2.number - 1n })
assert.equal(b2.timestamp - b1.timestamp, 10n)
assert.ok(b1.timestamp > t0)
ok('mine')

// -- state edits ----------------------------------------------------------------------------
await test.setBalance({ address: OTHER, value: parseEther('5') })
assert.equal(await pub.getBalance({ address: OTHER }), parseEther('5'))
ok('setBalance')

const code = '0x6001600055'  // SSTORE(0, 1)
await test.setCode({ address: CONTRACT, bytecode: code })
assert.equal(await pub.getCode({ address: CONTRACT }), code)
ok('setCode')

await test.setNonce({ address: CONTRACT, nonce: 5 })
assert.equal(await pub.getTransactionCount({ address: CONTRACT }), 5)
ok('setNonce')

const slotValue = '0x' + '00'.repeat(31) + '2a'
await test.setStorageAt({ address: CONTRACT, index: 1, value: slotValue })
assert.equal(await pub.getStorageAt({ address: CONTRACT, slot: numberToHex(1) }), slotValue)
ok('setStorageAt')

// -- impersonation --------------------------------------------------------------------------
await test.impersonateAccount({ address: OTHER })
const imp = await send(OTHER, A1, 1n)
assert.equal(imp.status, 'success')
assert.equal(imp.from, OTHER)
ok('impersonateAccount')
await test.stopImpersonatingAccount({ address: OTHER })
await rejects(send(OTHER, A1, 1n), /unknown account|not impersonated/i, 'stopImpersonatingAccount')
ok('stopImpersonatingAccount')

await test.setBalance({ address: UNSIGNED, value: parseEther('1') })
const uhash = await test.sendUnsignedTransaction({ from: UNSIGNED, to: A1, value: 2n })
const urec = await pub.waitForTransactionReceipt({ hash: uhash })
assert.equal(urec.status, 'success')
assert.equal(urec.from, UNSIGNED)
ok('sendUnsignedTransaction')

// -- the pool and manual mining -------------------------------------------------------------
await test.setAutomine(false)
assert.equal(await test.getAutomine(), false)
ok('setAutomine')
const pendingHash = await wallet(A0).sendTransaction({ to: A1, value: 3n })
assert.deepEqual(await test.getTxpoolStatus(), { pending: 1, queued: 0 })
ok('getTxpoolStatus')
const content = await test.getTxpoolContent()
const mine0 = Object.entries(content.pending).find(([a]) => a.toLowerCase() === A0)
assert.ok(mine0, 'getTxpoolContent lists the sender')
assert.equal(Object.values(mine0[1])[0].hash, pendingHash)
ok('getTxpoolContent')
const inspect = await test.inspectTxpool()
const line = Object.values(Object.entries(inspect.pending).find(([a]) => a.toLowerCase() === A0)[1])[0]
assert.match(line, /3 wei/)
ok('inspectTxpool')
await test.dropTransaction({ hash: pendingHash })
assert.deepEqual(await test.getTxpoolStatus(), { pending: 0, queued: 0 })
ok('dropTransaction')
const manualHash = await wallet(A0).sendTransaction({ to: A1, value: 4n })
n = await pub.getBlockNumber()
await test.mine({ blocks: 1 })
const manual = await pub.getTransactionReceipt({ hash: manualHash })
assert.equal(manual.blockNumber, n + 1n)

// Interval mining: viem sends seconds in 'anvil' mode and milliseconds in 'hardhat' mode to the
// same evm_setIntervalMining; Wabei reads milliseconds (Hardhat), so either mines soon.
await test.setIntervalMining({ interval: 1 })
const intervalReceipt = await send(A0, A1, 5n)
assert.equal(intervalReceipt.status, 'success')
ok('setIntervalMining')
await test.setIntervalMining({ interval: 0 })
await test.setAutomine(true)
assert.equal(await test.getAutomine(), true)

// -- time -----------------------------------------------------------------------------------
let before = (await latest()).timestamp
await test.increaseTime({ seconds: 3600 })
await test.mine({ blocks: 1 })
assert.ok((await latest()).timestamp >= before + 3600n)
ok('increaseTime')

const exact = (await latest()).timestamp + 1000n
await test.setNextBlockTimestamp({ timestamp: exact })
await test.mine({ blocks: 1 })
assert.equal((await latest()).timestamp, exact)
ok('setNextBlockTimestamp')

await test.setBlockTimestampInterval({ interval: 7 })
before = (await latest()).timestamp
await test.mine({ blocks: 1 })
await test.mine({ blocks: 1 })
assert.equal((await latest()).timestamp, before + 14n)
ok('setBlockTimestampInterval')
await test.removeBlockTimestampInterval()
await test.mine({ blocks: 1 })
const afterRemove = (await latest()).timestamp
await test.mine({ blocks: 1 })
assert.notEqual((await latest()).timestamp, afterRemove + 7n)  // the wall clock rules again
ok('removeBlockTimestampInterval')

// -- the next block's header ----------------------------------------------------------------
await test.setBlockGasLimit({ gasLimit: 45_000_000n })  // far past the 1/1024 step
await test.mine({ blocks: 1 })
assert.equal((await latest()).gasLimit, 45_000_000n)
await test.mine({ blocks: 1 })
assert.equal((await latest()).gasLimit, 45_000_000n)  // kept by later blocks
ok('setBlockGasLimit')

await test.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei('7') })
assert.equal(await pub.getGasPrice(), parseGwei('7') + parseGwei('1'))
await test.mine({ blocks: 1 })
assert.equal((await latest()).baseFeePerGas, parseGwei('7'))
await test.mine({ blocks: 1 })
assert.equal((await latest()).baseFeePerGas, parseGwei('7') * 7n / 8n)  // EIP-1559 from it, empty block
ok('setNextBlockBaseFeePerGas')

await rejects(test.setMinGasPrice({ gasPrice: parseGwei('20') }), /not supported when EIP-1559 is active/,
  'setMinGasPrice')
ok('setMinGasPrice')

await test.setCoinbase({ address: OTHER })
await test.mine({ blocks: 1 })
assert.equal((await latest()).miner, OTHER)
await test.setCoinbase({ address: '0x' + '00'.repeat(20) })
ok('setCoinbase')

// -- snapshots and state dumps --------------------------------------------------------------
const id = await test.snapshot()
const snapBlock = await pub.getBlockNumber()
await test.setBalance({ address: OTHER, value: 77n })
await test.mine({ blocks: 2 })
await test.revert({ id })
assert.equal(await pub.getBalance({ address: OTHER }), parseEther('5') - imp.gasUsed * imp.effectiveGasPrice - 1n)
assert.equal(await pub.getBlockNumber(), snapBlock)
ok('snapshot')
ok('revert')

const dump = await test.dumpState()
assert.match(dump, /^0x1f8b/)  // hex of gzip
ok('dumpState')
const dumpedBalance = await pub.getBalance({ address: OTHER })
await test.setBalance({ address: OTHER, value: 1n })
await test.loadState({ state: dump })
assert.equal(await pub.getBalance({ address: OTHER }), dumpedBalance)
ok('loadState')

await test.setLoggingEnabled(false)
await test.setLoggingEnabled(true)
ok('setLoggingEnabled')

await rejects(test.setRpcUrl('http://127.0.0.1:1'),
  mode === 'anvil' ? /forking is not supported/ : /does not exist/, 'setRpcUrl')
ok('setRpcUrl')

// -- reset ----------------------------------------------------------------------------------
await test.reset()
assert.equal(await pub.getBlockNumber(), 0n)
assert.equal(await pub.getBalance({ address: A0 }), parseEther('10000'))
assert.equal(await pub.getBalance({ address: OTHER }), 0n)
assert.equal(await pub.getCode({ address: CONTRACT }), undefined)
assert.equal(await pub.getChainId(), 31337)
assert.equal((await latest()).gasLimit, 30_000_000n)
await rejects(test.reset({ jsonRpcUrl: 'http://127.0.0.1:1' }), /forking is not supported/, 'reset(fork)')
const afterReset = await send(A0, A1, 1n)
assert.equal(afterReset.blockNumber, 1n)
ok('reset')

assert.equal(keccak256(toHex('wabei')).length, 66)  // viem's utilities load alongside
console.log('ok all')
