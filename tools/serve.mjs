// A static file server on 127.0.0.1 for the demo page and the browser tests: the repository at
// /, and ../shared (golden fixtures) at /shared/. Only GET/HEAD; paths cannot escape the roots.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.wav': 'audio/wav',
};

export function startServer({ port = 0, root = resolve(new URL('..', import.meta.url).pathname) } = {}) {
  const shared = resolve(root, '../shared');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path = decodeURIComponent(url.pathname);
    if (path.endsWith('/')) path += 'index.html';
    const [base, rel] = path.startsWith('/shared/') ? [shared, path.slice('/shared/'.length)] : [root, path.slice(1)];
    const file = join(base, normalize(rel));
    if (!file.startsWith(base) || req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(403).end();
      return;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    if (!st.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'content-length': st.size, 'cache-control': 'no-store' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8080);
  const server = await startServer({ port });
  const { port: p } = server.address();
  console.log(`flowgpu demo: http://127.0.0.1:${p}/examples/web/`);
}
