/**
 * `sva-lab serve` and `sva-lab open`: the built page (dist/, `vite build`) served on
 * 127.0.0.1, read-only, for links that open on this machine. The build is static: any web
 * server (or a sub-path of one) serves it the same (docs/cli.md, "Deploying the page").
 */
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root (this file is src/cli/serve.ts). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The port `serve` and `open` use when none is given; printed links default to it. */
export const DEFAULT_PORT = 4173;
export const DEFAULT_BASE = `http://127.0.0.1:${DEFAULT_PORT}/`;

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** Builds dist/ when it is missing (a fresh clone), with the build's output on stderr. */
export function ensureBuilt(dist: string, log: (text: string) => void): string | null {
  if (existsSync(join(dist, "index.html"))) return null;
  if (resolve(dist) !== resolve(ROOT, "dist")) return `${dist}: no index.html (is it a build of the page?)`;
  log("sva-lab: dist/ is missing: building the page first (npm run build)…");
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "vite", "bin", "vite.js"), "build"], {
    cwd: ROOT,
    // The build's log on stderr: stdout is the URL alone, for scripts.
    stdio: ["ignore", 2, 2],
  });
  if (r.status !== 0 || !existsSync(join(dist, "index.html")))
    return "the page could not be built (vite build failed)";
  return null;
}

/** Serves `dist` on 127.0.0.1:`port` (0: a free port). Rejects with a one-line message. */
export function startServer(dist: string, port: number): Promise<Served> {
  const root = normalize(resolve(dist)) + sep;
  const server: Server = createServer(async (req, res) => {
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD" }).end();
        return;
      }
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(root) && `${file}${sep}` !== root) {
        res.writeHead(403).end();
        return;
      }
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
        return;
      }
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": info.size,
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(400).end();
    }
  });
  return new Promise((done, fail) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      fail(
        new Error(
          e.code === "EADDRINUSE"
            ? `--port: port ${port} is in use (try another, or --port 0 for a free one)`
            : `cannot serve on 127.0.0.1:${port} (${e.code ?? e.message})`,
        ),
      );
    });
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      done({
        url: `http://127.0.0.1:${actual}/`,
        close: () =>
          new Promise((closed) => {
            server.close(() => closed());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Resolves when SIGINT or SIGTERM arrives, then stops listening for them. */
export function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string): void => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      done(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}
