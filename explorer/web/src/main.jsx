// The explorer's shell: navigation, search, and a router over the URL fragment
// (#/block/12, #/tx/0x…), so the node serves one page and links survive a reload.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AddressPage } from "./pages/address.jsx";
import { Block, Blocks } from "./pages/blocks.jsx";
import { Cns } from "./pages/cns.jsx";
import { Overview } from "./pages/overview.jsx";
import { Pending } from "./pages/pending.jsx";
import { Sharing } from "./pages/sharing.jsx";
import { Tx } from "./pages/tx.jsx";
import { searchRoute } from "./search.js";
import { Link } from "./ui.jsx";

const ROUTES = [
  [/^\/?$/, () => <Overview />],
  [/^\/blocks(?:\/(\d+))?$/, (m) => <Blocks page={Number(m[1] ?? 0)} />],
  [/^\/block\/([^/]+)$/, (m) => <Block id={m[1]} />],
  [/^\/tx\/([^/]+)$/, (m) => <Tx hash={m[1]} />],
  [/^\/address\/([^/]+)$/, (m) => <AddressPage address={m[1]} />],
  [/^\/cns$/, () => <Cns />],
  [/^\/pending$/, () => <Pending />],
  [/^\/sharing$/, () => <Sharing />],
];

const current = () => decodeURIComponent(location.hash.replace(/^#/, "")) || "/";

function App() {
  const [path, setPath] = useState(current());
  useEffect(() => {
    const onHash = () => { setPath(current()); window.scrollTo(0, 0); };
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  let page = null;
  for (const [pattern, view] of ROUTES) {
    const m = path.match(pattern);
    if (m) { page = view(m); break; }
  }
  return (
    <>
      <header>
        <Link to="/" class="brand">Wabei explorer</Link>
        <nav>
          <Link to="/">Overview</Link> <Link to="/blocks">Blocks</Link> <Link to="/pending">Pending</Link>{" "}
          <Link to="/cns">CNS</Link> <Link to="/sharing">Sharing</Link>
        </nav>
        <Search />
      </header>
      <main key={path}>{page ?? <p class="error" role="alert">No page at {path}. <Link to="/">Back to the overview</Link></p>}</main>
    </>
  );
}

function Search() {
  const [query, setQuery] = useState("");
  const [error, setError] = useState(null);
  async function go(e) {
    e.preventDefault();
    setError(null);
    try {
      location.hash = await searchRoute(query);
      setQuery("");
    } catch (err) {
      setError(err.message);
    }
  }
  return (
    <form class="search" role="search" onSubmit={go}>
      <input type="search" placeholder="Block, hash, address or CNS name" value={query} aria-label="Search"
        data-testid="search" onInput={(e) => setQuery(e.currentTarget.value)} />
      <button type="submit">Search</button>
      {error ? <p class="error" role="alert" data-testid="search-error">{error}</p> : null}
    </form>
  );
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading…" placeholder of index.html
render(<App />, root);
