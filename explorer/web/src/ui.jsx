// Small shared pieces: loading data, links, errors, tables. Chain data is only ever passed as
// text children or attribute values, which Preact escapes; nothing here sets innerHTML.
import { useEffect, useState } from "preact/hooks";
import { checksum, short } from "./fmt.js";

/** Run `load` when `deps` change: {data, error, reload}. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: undefined, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then((data) => live && setState({ data, error: null }),
      (error) => live && setState({ data: undefined, error }));
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export const Link = ({ to, children, ...rest }) => <a href={`#${to}`} {...rest}>{children}</a>;

export function Address({ value, names }) {
  if (!value) return <span class="muted">—</span>;
  const label = names?.get(value.toLowerCase());
  return (
    <Link to={`/address/${value.toLowerCase()}`} class="mono" title={checksum(value)}>
      {label ? <span class="name">{label} </span> : null}{short(checksum(value), 12)}
    </Link>
  );
}

export const Hash = ({ kind, value, n = 14 }) => <Link to={`/${kind}/${value}`} class="mono" title={value}>{short(value, n)}</Link>;

export function Failure({ error, what }) {
  const message = error?.message ?? String(error);
  return <div class="error" role="alert">{what ? `${what}: ` : ""}{message}</div>;
}

export function Loading({ what }) {
  return <p class="loading">Loading {what}…</p>;
}

/** `load`'s result through `render`, with a loading line and a readable failure. */
export function Loaded({ state, what, children }) {
  if (state.error) return <Failure error={state.error} what={`Could not load ${what}`} />;
  if (state.data === undefined) return <Loading what={what} />;
  return children(state.data);
}

export const Rows = ({ rows }) => (
  <dl class="fields">
    {rows.filter(Boolean).map(([k, v]) => [<dt>{k}</dt>, <dd>{v}</dd>])}
  </dl>
);

export function Table({ head, rows, empty = "Nothing yet." }) {
  if (!rows.length) return <p class="muted">{empty}</p>;
  return (
    <div class="scroll">
      <table>
        <thead><tr>{head.map((h) => <th>{h}</th>)}</tr></thead>
        <tbody>{rows.map((r) => <tr>{r.map((c) => <td>{c}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}
