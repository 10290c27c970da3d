// `npm run fuzz [-- --cases N --seed S --workers W --cli-every K --case I]`: builds the library
// (the CLI the driver spawns) and the fuzz bundle, then runs test/fuzz/main.ts (see there and
// SECURITY.md). Exits non-zero when any case fails.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
for (const args of [['tools/build.mjs'], ['tools/build.mjs', '--fuzz']]) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, ['dist-fuzz/fuzz.js', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
