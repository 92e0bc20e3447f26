// A tiny static server for the end-to-end tests (no dependencies): serves dist/ under a
// sub-path, the way a blog would host the app, with a strict Content-Security-Policy.
//
//   import { startServer } from './server.mjs';
//   const srv = await startServer();            // srv.url = 'http://127.0.0.1:PORT/blog/raft/'
//   await srv.close();
//
// Run by hand: `node tests/e2e/server.mjs [port]` serves dist/ at http://127.0.0.1:PORT/blog/raft/.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The policy the app must run under (no inline scripts, no external anything). */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'";

/** Where the tests expect the app. */
export const PREFIX = '/blog/raft/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

const here = fileURLToPath(new URL('.', import.meta.url));
const DEFAULT_ROOT = resolve(here, '..', '..', 'dist');

/**
 * Starts the server on a free loopback port.
 * @param {{root?: string, prefix?: string, port?: number}} [opts]
 * @returns {Promise<{url: string, origin: string, close: () => Promise<void>, served: string[]}>}
 */
export async function startServer(opts = {}) {
  const root = resolve(opts.root ?? DEFAULT_ROOT);
  const prefix = opts.prefix ?? PREFIX;
  const served = [];
  const server = createServer(async (req, res) => {
    const headers = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    };
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path === prefix.slice(0, -1)) {
        res.writeHead(301, { ...headers, Location: prefix });
        return res.end();
      }
      if (!path.startsWith(prefix) || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
        return res.end('not found');
      }
      let rel = path.slice(prefix.length) || 'index.html';
      if (rel.endsWith('/')) rel += 'index.html';
      const file = normalize(join(root, rel));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403, headers);
        return res.end();
      }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
        return res.end('not found');
      }
      const body = await readFile(file);
      served.push(rel);
      res.writeHead(200, {
        ...headers,
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { ...headers, 'Content-Type': 'text/plain' });
      res.end(String(err));
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin + prefix,
    origin,
    served,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8081);
  const srv = await startServer({ port });
  console.log(`serving ${DEFAULT_ROOT} at ${srv.url}`);
}
