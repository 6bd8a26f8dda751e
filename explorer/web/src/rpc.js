// The page's only way to the chain: the node's JSON-RPC on the same origin, over HTTP for
// reads and one WebSocket for live updates (eth_subscribe newHeads / newPendingTransactions).

const HTTP_URL = new URL("/", location.href).href;
const WS_URL = HTTP_URL.replace(/^http/, "ws");
let nextId = 1;

/** A JSON-RPC error answer, with the node's code and message kept. */
export class RpcError extends Error {
  constructor(error) {
    super(error.message);
    this.code = error.code;
    this.data = error.data;
  }
}

async function post(body) {
  const res = await fetch(HTTP_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`the node answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return res.json();
}

/** One call; throws RpcError with the node's message on an error answer. */
export async function rpc(method, params = []) {
  const answer = await post({ jsonrpc: "2.0", id: nextId++, method, params });
  if (answer.error) throw new RpcError(answer.error);
  return answer.result;
}

/** Several calls in one HTTP request; each item is {result} or {error: RpcError}. */
export async function batch(calls) {
  if (!calls.length) return [];
  const first = nextId;
  nextId += calls.length;
  const answers = await post(calls.map(([method, params], i) => ({ jsonrpc: "2.0", id: first + i, method, params })));
  const byId = new Map(answers.map((a) => [a.id, a]));
  return calls.map((_, i) => {
    const a = byId.get(first + i);
    return a.error ? { error: new RpcError(a.error) } : { result: a.result };
  });
}

/** Like batch, but throws the first error: for reads that must all succeed. */
export async function all(calls) {
  return (await batch(calls)).map((a) => {
    if (a.error) throw a.error;
    return a.result;
  });
}

// --- live updates -------------------------------------------------------------------------
const listeners = { newHeads: new Set(), newPendingTransactions: new Set() };
let socket = null;
let retry = 500;
export const liveState = { connected: false, onChange: () => {} };

function connect() {
  socket = new WebSocket(WS_URL);
  const subs = new Map();
  socket.onopen = () => {
    retry = 500;
    liveState.connected = true;
    liveState.onChange();
    for (const kind of Object.keys(listeners)) {
      const id = nextId++;
      subs.set(id, kind);
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method: "eth_subscribe", params: [kind] }));
    }
  };
  const kinds = new Map();
  socket.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id !== undefined && subs.has(msg.id) && msg.result) kinds.set(msg.result, subs.get(msg.id));
    if (msg.method === "eth_subscription") {
      const kind = kinds.get(msg.params.subscription);
      for (const fn of listeners[kind] ?? []) fn(msg.params.result);
    }
  };
  socket.onclose = () => {
    liveState.connected = false;
    liveState.onChange();
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10_000);
  };
}

/** Call `fn` with every new head (kind "newHeads") or pending hash; returns an unsubscribe. */
export function live(kind, fn) {
  if (!socket) connect();
  listeners[kind].add(fn);
  return () => listeners[kind].delete(fn);
}
