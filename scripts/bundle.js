// Bundles the CLI (and later the debug adapter and extension) into dist/ with esbuild.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const entries = [
  { in: 'emulator/system/cli.ts', out: 'cli' },
  { in: 'debug-adapter/main.ts', out: 'debugAdapter' },
  { in: 'extension/extension.ts', out: 'extension' },
].filter((e) => fs.existsSync(path.join(root, e.in)));

esbuild.buildSync({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode'],
  logLevel: 'warning',
});
