// What the browser tests share (portal_test.js, workspace_test.js, sessions_test.js): their
// arguments, Debian's Chromium through playwright-core, axe-core, the attest binary, a server on
// loopback, and the [ OK ]/[FAIL] report.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

// ATTEST_BINARY NODE_MODULES_DIR ARTIFACTS_DIR from the command line (exits 2 without them).
function parseArgs(script) {
  const [attest, modules, artifacts] = process.argv.slice(2).map((p) => p && path.resolve(p));
  if (!attest || !modules || !artifacts) {
    console.error(`usage: node ${script} ATTEST_BINARY NODE_MODULES_DIR ARTIFACTS_DIR`);
    process.exit(2);
  }
  for (const m of ['playwright-core', 'axe-core']) {
    if (!fs.existsSync(path.join(modules, m))) {
      console.error(`${m} is not in ${modules}: run scripts/fetch-third-party.sh (pinned in third_party/npm-pins.txt)`);
      process.exit(1);
    }
  }
  fs.mkdirSync(artifacts, { recursive: true });
  return {
    attest, modules, artifacts,
    chromium: require(path.join(modules, 'playwright-core')).chromium,
    axeSource: fs.readFileSync(path.join(modules, 'axe-core', 'axe.min.js'), 'utf8'),
  };
}

// Runs each named check, reporting it; `failures` counts those that failed.
const report = { failures: 0 };
async function check(name, fn) {
  try {
    await fn();
    console.log(`[ OK ] ${name}`);
  } catch (e) {
    report.failures++;
    console.log(`[FAIL] ${name}\n       ${(e && e.stack) || e}`);
  }
}

// The serious and critical axe-core violations of the page as it is, named with `where`.
async function seriousViolations(axeSource, page, where) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
}

// `attest ARGS` (with `input` on its standard input), its standard output.
function runAttest(attest, args, input) {
  return execFileSync(attest, args, { encoding: 'utf8', input });
}

// `attest serve` of archive `dir` on a free loopback port, with `env` added: {child, port}.
// A server that never says where it listens is stopped, not left running.
async function startServer(attest, dir, env = {}) {
  const child = spawn(attest, ['--archive', dir, 'serve', '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the server did not start: ' + out)); }, 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => reject(new Error('the server exited with ' + code + ': ' + out)));
  });
  return { child, port };
}

module.exports = { parseArgs, check, report, seriousViolations, runAttest, startServer };
