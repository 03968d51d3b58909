// build:server starts from nothing, so no file of an older server build can survive into a new
// one. dist/web is not its output: build:web owns it (Vite empties it before each web build), and
// `npm run migrate`, which rebuilds only the server, must leave the web app being served alone.
// Usage: node scripts/clean-dist.mjs [dist directory]   (the argument is for tests)
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(process.argv[2] ?? fileURLToPath(new URL('../dist', import.meta.url)));
const KEEP = new Set(['web']);

let entries = [];
try {
  entries = readdirSync(dist);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
for (const name of entries) {
  if (!KEEP.has(name)) rmSync(join(dist, name), { recursive: true, force: true });
}
