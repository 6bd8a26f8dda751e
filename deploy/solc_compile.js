#!/usr/bin/env node
// Compile one solc standard-JSON input with the pinned npm `solc` (soljson).
//
// Usage: node deploy/solc_compile.js [ROOT [INCLUDE_DIR ...]] < input.json > output.json
//
// Imports are resolved by source unit name, first against ROOT (default: the
// repo this script lives in), then against ROOT/node_modules. Source unit
// names are never rewritten, so metadata holds only relative names such as
// `contracts/test/TestToken.sol` and `@openzeppelin/contracts/...`.
// INCLUDE_DIRs are searched after those two (a user's file outside the repo
// still finds the repo's pinned OpenZeppelin).
// Compiler diagnostics travel inside the standard-JSON output; the exit code
// is non-zero only when this script itself cannot run.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

function makeImportCallback(root, include) {
  const searchDirs = [root, path.join(root, 'node_modules'), ...include];
  return function findImports(sourceUnitName) {
    // Refuse names that could escape the search directories: the build must
    // depend only on files inside the checkout.
    const parts = sourceUnitName.split('/');
    if (path.isAbsolute(sourceUnitName) || parts.includes('..')) {
      return { error: `refusing non-relative import: ${sourceUnitName}` };
    }
    for (const dir of searchDirs) {
      const candidate = path.join(dir, ...parts);
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      }
    }
    return { error: `file not found under ${searchDirs.join(' or ')}` };
  };
}

function main() {
  const root = path.resolve(process.argv[2] || path.join(__dirname, '..'));
  const input = fs.readFileSync(0, 'utf8');
  const include = process.argv.slice(3).map((d) => path.resolve(d));
  const output = solc.compile(input, { import: makeImportCallback(root, include) });
  process.stdout.write(output);
}

main();
