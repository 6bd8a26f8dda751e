// Bundles the explorer (src/) into dist/: one app.js (Preact, uPlot, viem's ABI codec), one
// app.css and index.html. Run by ./scripts/setup; `node build.mjs` by hand after editing src/.
// The project's compiled contract ABIs (contracts/build/*.json) are bundled as a table by
// contract name, so the page can decode the sharing suite and any contract a deployment
// manifest names without asking anyone.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const artefacts = join(here, "..", "..", "contracts", "build");
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });

const abis = {};
for (const file of readdirSync(artefacts).filter((f) => f.endsWith(".json")).sort()) {
  const artefact = JSON.parse(readFileSync(join(artefacts, file), "utf8"));
  abis[artefact.contractName ?? file.replace(/\.json$/, "")] = artefact.abi;
}
writeFileSync(join(here, "src", "abis.generated.json"), JSON.stringify(abis));

await build({
  entryPoints: [join(here, "src", "main.jsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outfile: join(dist, "app.js"),
  legalComments: "eof",
  logLevel: "warning",
});
copyFileSync(join(here, "src", "index.html"), join(dist, "index.html"));
const css = readFileSync(join(here, "node_modules", "uplot", "dist", "uPlot.min.css"), "utf8")
  + readFileSync(join(here, "src", "app.css"), "utf8");
writeFileSync(join(dist, "app.css"), css);
console.log("explorer: built", dist);
