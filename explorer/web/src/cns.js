// The Contract Name Service (docs/cns.md), read with eth_call on its precompile at 0x…1004:
// every name (nameCount/nameAt), its versions with their addresses and ABIs (selectByName,
// FISCO's JSON), its owner and latest version.
import { decodeFunctionResult, encodeFunctionData, parseAbi } from "viem";
import { all, rpc } from "./rpc.js";

export const CNS_ADDRESS = "0x0000000000000000000000000000000000001004";
export const CNS_ABI = parseAbi([
  "function selectByName(string name) view returns (string)",
  "function getContractAddress(string name, string version) view returns (address)",
  "function ownerOf(string name) view returns (address)",
  "function latestVersion(string name) view returns (string)",
  "function nameCount() view returns (uint256)",
  "function nameAt(uint256 position) view returns (string)",
  "function insert(string name, string version, string addr, string abi) returns (uint256)",
  "function setLatest(string name, string version)",
  "function authorize(string name, address account, bool allowed)",
  "function transferNameOwnership(string name, address newOwner)",
  "event VersionPublished(bytes32 indexed node, string name, string version, address addr, address publisher)",
  "event LatestChanged(bytes32 indexed node, string name, string previousVersion, string version, address addr)",
  "event PublisherAuthorised(bytes32 indexed node, address indexed account, bool allowed)",
  "event NameOwnershipTransferred(bytes32 indexed node, address indexed previousOwner, address indexed newOwner)",
]);
const MAX_NAMES = 500; // the page lists this many names at most

const call = (functionName, args = []) => ["eth_call", [{ to: CNS_ADDRESS, data: encodeFunctionData({ abi: CNS_ABI, functionName, args }) }, "latest"]];
const decode = (functionName, data) => decodeFunctionResult({ abi: CNS_ABI, functionName, data });

/** Every CNS name: [{name, owner, latest, versions: [{version, address, abi}]}]. */
export async function loadNames() {
  const count = Number(decode("nameCount", await rpc(...call("nameCount"))));
  const positions = [...Array(Math.min(count, MAX_NAMES)).keys()];
  const names = (await all(positions.map((i) => call("nameAt", [BigInt(i)])))).map((d) => decode("nameAt", d));
  const details = await all(names.flatMap((n) => [call("selectByName", [n]), call("ownerOf", [n]), call("latestVersion", [n])]));
  return names.map((name, i) => {
    const versions = JSON.parse(decode("selectByName", details[3 * i])).map((v) => ({
      version: v.version, address: v.address.toLowerCase(), abi: parseAbiText(v.abi),
    }));
    return { name, owner: decode("ownerOf", details[3 * i + 1]), latest: decode("latestVersion", details[3 * i + 2]), versions };
  });
}

/** The address `name` (latest version) points at, or null if there is no such name. */
export async function resolveName(name) {
  try {
    return decode("getContractAddress", await rpc(...call("getContractAddress", [name, ""])));
  } catch {
    return null;
  }
}

function parseAbiText(text) {
  try {
    const abi = JSON.parse(text);
    return Array.isArray(abi) ? abi : null;
  } catch {
    return null;
  }
}
