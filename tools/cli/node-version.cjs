// Runs before every npm script (package.json "pre<script>"), on whatever Node.js npm found, so it
// is plain CommonJS that Node 12+ parses. The tooling needs Node.js >= 22.18 (type stripping on by default,
// Set methods, require(esm)); on an older one this prints one line saying so and how to get it,
// and exits 3 (the tool's environment cannot run it), instead of a stack trace from deep inside
// a dependency (`TypeError: TEXT_ENCODINGS.union is not a function` on Node 20).
// @ts-check
"use strict";

const NEED = [22, 18];

/**
 * The one-line message for `version` (e.g. "20.20.2"), or "" when it is new enough.
 * @param {string} version
 * @param {string} [script] the npm script that was run
 * @returns {string}
 */
function checkNode(version, script) {
  const [major, minor] = String(version).replace(/^v/, "").split(".").map(Number);
  if (major > NEED[0] || (major === NEED[0] && minor >= NEED[1])) return "";
  const run = script ? `bin/npm run ${script}` : "bin/npm run <script>";
  return `ERROR - this tooling needs Node.js >= ${NEED.join(".")}, but npm runs it with Node.js ${version}. Fix: use \`${run}\` (bin/npm puts Node 24 from .cache/node first on PATH, installing it once), or install Node.js >= ${NEED[0]}.`;
}

module.exports = { checkNode, NEED };

if (require.main === module) {
  const event = process.env.npm_lifecycle_event || "";
  const message = checkNode(process.versions.node, event.replace(/^pre/, ""));
  if (message) {
    process.stderr.write(`${message}\n`);
    process.exitCode = 3;
  }
}
