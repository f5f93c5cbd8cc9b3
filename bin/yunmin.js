#!/usr/bin/env node
// yunmin's command line. The sources are TypeScript run directly by Node 24's type stripping, so an
// older Node gets a clear message instead of a syntax error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `yunmin needs Node.js 24 or newer (this is ${process.version}). From a clone, run it as \`npm run yunmin -- <args>\`, which uses the Node 24 installed by npm.\n`,
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
