// Formatting chain values for people. Every value stays text: the page binds it with Preact's
// text binding, which escapes it, and never builds HTML from chain data.
import { formatEther, formatGwei, getAddress } from "viem";

export const num = (hex) => (hex == null ? null : Number(BigInt(hex)));
export const big = (hex) => (hex == null ? 0n : BigInt(hex));
export const eth = (hex) => `${formatEther(big(hex))} ETH`;
export const gwei = (hex) => `${formatGwei(big(hex))} gwei`;
export const int = (hex) => big(hex).toLocaleString("en-US");
export const short = (h, n = 10) => (h && h.length > n + 6 ? `${h.slice(0, n)}…${h.slice(-4)}` : h ?? "");
export const checksum = (a) => { try { return getAddress(a); } catch { return a; } };

export function time(hex) {
  const t = num(hex);
  return t == null ? "" : new Date(t * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
}

export function ago(hex) {
  const s = Math.round(Date.now() / 1000 - num(hex));
  if (s < 0) return "in the future (dev clock)";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A decoded argument as text: bigints in full, arrays and tuples as JSON-ish text. */
export function arg(value) {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(arg).join(", ")}]`;
  if (value && typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${k}: ${arg(v)}`).join(", ")}}`;
  return String(value);
}
