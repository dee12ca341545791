// Builds the extension's extra bundles with esbuild (scripts/bundle.js builds dist/extension.js
// and dist/debugAdapter.js):
//   dist/webview/timeline.js  the Timeline page with Chart.js, for the browser (no CDN)
//   dist/asm.js               pvlab's assembler for "assembler errors as Problems",
//                             only when emulator/asm/index.ts exists (loaded at run time)
// Run by `npm run build:webview`; type-checks the page first (media/webview/tsconfig.json).
const esbuild = require('esbuild');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'media/webview/tsconfig.json'], { cwd: root, stdio: 'inherit' });
} catch {
  console.error('build:webview: type errors in media/webview (above)');
  process.exit(1);
}

esbuild.buildSync({
  absWorkingDir: root,
  entryPoints: ['media/webview/timeline.ts'],
  outfile: 'dist/webview/timeline.js',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
});

const asm = 'emulator/asm/index.ts';
if (fs.existsSync(path.join(root, asm))) {
  esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [asm],
    outfile: 'dist/asm.js',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: false,
    logLevel: 'warning',
  });
} else {
  fs.rmSync(path.join(root, 'dist/asm.js'), { force: true });
  console.log('build:webview: no emulator/asm/index.ts; dist/asm.js not built (assembler Problems stay off)');
}
