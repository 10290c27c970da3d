// The bench page (examples/web/bench.html) in headless Chromium (SwiftShader): its quick form,
// narrowed to the 256³ matmul row so it takes seconds, must finish with timed rows, show the
// table and offer bench.json. Needs dist/demo/bench.js (node tools/build.mjs).
export async function run(page, origin) {
  page.on('pageerror', (e) => console.error(`bench page error: ${e.message}`));
  await page.goto(`${origin}/examples/web/bench.html?run=quick&only=matmul%20256&download=0`);
  await page.waitForFunction(() => window.__bench?.done, { timeout: 120_000, polling: 250 });
  const r = await page.evaluate(() => ({
    bench: window.__bench,
    table: document.getElementById('table').textContent,
    log: document.getElementById('log').textContent,
    link: !document.getElementById('download').hidden && document.getElementById('download').href,
  }));
  if (r.bench.error) throw new Error(`the bench page failed: ${r.bench.error}`);
  const rows = r.bench.report.rows;
  if (rows.length < 1) throw new Error(`expected the matmul 256³ row, got ${JSON.stringify(rows)}`);
  for (const row of rows) {
    if (!(row.ms > 0) || !row.kernel.startsWith('matmul')) throw new Error(`row not timed: ${JSON.stringify(row)}`);
  }
  if (!r.table.includes('256×256×256') || !r.table.includes('peak probe')) throw new Error(`table missing rows:\n${r.table}`);
  if (r.log.trim().split('\n').length !== rows.length) throw new Error(`one progress line per row expected:\n${r.log}`);
  if (!r.link || !r.link.startsWith('blob:')) throw new Error('no bench.json download link');
}
