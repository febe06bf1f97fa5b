// Bundles the portal into the control plane's static resources: node build.mjs <outdir>.
// esbuild (a package of the npm registry, run by the machine's node) bundles and minifies; no dev server.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? 'dist';
rmSync(join(out, 'portal'), { recursive: true, force: true });
mkdirSync(join(out, 'portal'), { recursive: true });
await esbuild.build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outdir: join(out, 'portal'),
  logLevel: 'warning',
});
copyFileSync('src/index.html', join(out, 'index.html'));
