// Runs the browser test bundle (dist-test/browser/tests.js: the kernel suite) in headless
// Chromium and the page-level tests of test/browser/*.mjs; prints results; exits non-zero on failure.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './browser.mjs';
import { startServer } from './serve.mjs';

const server = await startServer();
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchBrowser();
let failed = 0;
let passed = 0;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${origin}/test/browser/index.html`);
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? `${a.info.vendor} / ${a.info.architecture} / ${a.info.description}` : 'none';
  });
  console.log(`chromium adapter: ${adapter}`);
  await page.waitForFunction(() => window.__testResults.done, { timeout: 15 * 60_000, polling: 500 });
  const r = await page.evaluate(() => window.__testResults);
  for (const t of r.passes) console.log(`  ✔ [chromium] ${t}`);
  for (const f of r.failures) console.log(`  ✖ [chromium] ${f.title}\n      ${f.error}`);
  passed += r.passes.length;
  failed += r.failures.length;
  // Page-level tests (e.g. the demo page end to end) each export `run(page, origin)`.
  const dir = new URL('../test/browser/', import.meta.url).pathname;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.test.mjs')).sort()) {
    const mod = await import(join(dir, name));
    const p = await browser.newPage();
    try {
      await mod.run(p, origin);
      console.log(`  ✔ [chromium] ${name}`);
      passed++;
    } catch (e) {
      console.log(`  ✖ [chromium] ${name}\n      ${e.stack ?? e}`);
      failed++;
    } finally {
      await p.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`chromium: ${passed} passed, ${failed} failed`);
if (failed > 0 || passed === 0) process.exit(1);
