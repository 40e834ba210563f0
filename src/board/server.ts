/**
 * `torch-ts board`: a small TensorBoard served by `node:http`. The page (static files shipped next to this
 * module, no CDN) reads a JSON API and listens on a server-sent-event stream that says when the logdir
 * changed:
 *
 *     GET /                                     the page
 *     GET /static/<file>                        its scripts and styles
 *     GET /api/runs                             runs, their tags per kind, warnings
 *     GET /api/scalars?run=R&tag=T              [{step, wallTime, value}] (non-finite values as "NaN"/"Infinity"/"-Infinity")
 *     GET /api/images?run=R&tag=T               [{id, step, wallTime, width, height}]
 *     GET /api/image?run=R&tag=T&id=N           the encoded image (PNG/JPEG/GIF) of entry N
 *     GET /api/histograms?run=R&tag=T[&bins=K]  every step re-binned onto one K-bin grid (default 30)
 *     GET /api/text?run=R&tag=T                 [{step, wallTime, text}]
 *     GET /api/events                           text/event-stream: `data: {"generation": N}` on every change
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { binHistograms } from "./histogram-bins.js";
import { type BoardWarning, LogdirScanner } from "./logdir-scanner.js";
import type { RunData } from "./run-data.js";

export interface BoardOptions {
  /** The directory to show (its sub-directories holding event files are the runs). */
  logdir: string;
  /** TCP port (default 6006, TensorBoard's); 0 picks a free one (see `Board.port`). */
  port?: number;
  /** Address to bind (default "127.0.0.1": only this machine can connect). */
  host?: string;
  /** Milliseconds between logdir scans (default 2000). */
  reloadIntervalMs?: number;
  /** Called once per new warning (unreadable or corrupt files). */
  onWarning?: (w: BoardWarning) => void;
}

/** A running board. */
export interface Board {
  /** `http://host:port/`. */
  url: string;
  port: number;
  host: string;
  scanner: LogdirScanner;
  /** Scans the logdir now; resolves once everything on disk at the call is loaded (and streams are told). */
  refresh(): Promise<void>;
  /** Stops scanning, ends open event streams and closes the server. */
  close(): Promise<void>;
}

/** Listening failed (port in use, not allowed, address not available); `code` is Node's (EADDRINUSE, ...). */
export class BoardListenError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(message);
    this.name = "BoardListenError";
  }
}

const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The page's files, read once: only names listed here are ever served (no path from the URL touches the disk). */
function loadStatic(): Map<string, { type: string; body: Buffer }> {
  let names: string[];
  try {
    names = readdirSync(STATIC_DIR);
  } catch (e) {
    throw new Error(`board: the page's files are missing (${STATIC_DIR}): ${(e as Error).message}; reinstall torch-ts or run 'npm run build'`);
  }
  const out = new Map<string, { type: string; body: Buffer }>();
  for (const name of names) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) out.set(name, { type, body: readFileSync(join(STATIC_DIR, name)) });
  }
  if (!out.has("index.html")) throw new Error(`board: ${STATIC_DIR} has no index.html; reinstall torch-ts or run 'npm run build'`);
  return out;
}

// Everything the page loads comes from this server; nothing inline, nothing remote.
const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** JSON has no NaN/Infinity: those scalars travel as strings. */
const jsonNumber = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

function imageType(b: Uint8Array): string {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8) return "image/jpeg";
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return "image/gif";
  return "application/octet-stream";
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, head: boolean, extra: Record<string, string> = {}): void {
  const buf = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { "Content-Type": type, "Content-Length": buf.length, "Cache-Control": "no-cache", ...SECURITY_HEADERS, ...extra });
  res.end(head ? undefined : buf);
}

const sendJson = (res: ServerResponse, status: number, value: unknown, head: boolean): void =>
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value), head);

function runSummary(r: RunData, warnings: BoardWarning[]): unknown {
  return { name: r.name, generation: r.generation, tags: r.tags(), warnings: warnings.filter((w) => w.run === r.name).map(({ file, message }) => ({ file, message })) };
}

/**
 * Starts the board: binds `host:port`, scans the logdir now and every `reloadIntervalMs`, serves the page and
 * the API. Resolves once listening (await `refresh()` to know the first scan is done); rejects with
 * `BoardListenError` when the port cannot be bound.
 *
 * @example
 * const board = await startBoard({ logdir: "runs", port: 6006 });
 * console.log(`open ${board.url}`);
 * // ... later
 * await board.close();
 */
export async function startBoard(options: BoardOptions): Promise<Board> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 6006;
  const interval = options.reloadIntervalMs ?? 2000;
  const files = loadStatic();
  const scanner = new LogdirScanner(options.logdir, { onWarning: options.onWarning });
  const streams = new Set<ServerResponse>();
  let lastSent = -1;

  const broadcast = (): void => {
    if (scanner.generation === lastSent) return;
    lastSent = scanner.generation;
    for (const res of streams) res.write(`data: ${JSON.stringify({ generation: lastSent })}\n\n`);
  };
  const refresh = async (): Promise<void> => {
    await scanner.refresh();
    broadcast();
  };

  const findRun = (url: URL): RunData => {
    const name = url.searchParams.get("run");
    if (name === null) throw new HttpError(400, "missing query parameter 'run'");
    const run = scanner.run(name);
    if (!run) throw new HttpError(404, `unknown run ${JSON.stringify(name)}`);
    return run;
  };
  const findTag = <T>(map: Map<string, T>, url: URL, kind: string): [string, T] => {
    const tag = url.searchParams.get("tag");
    if (tag === null) throw new HttpError(400, "missing query parameter 'tag'");
    const s = map.get(tag);
    if (s === undefined) throw new HttpError(404, `run ${JSON.stringify(url.searchParams.get("run"))} has no ${kind} tag ${JSON.stringify(tag)}`);
    return [tag, s];
  };

  const api = (url: URL, res: ServerResponse, head: boolean): void => {
    switch (url.pathname) {
      case "/api/runs": {
        const warnings = scanner.warnings();
        sendJson(
          res,
          200,
          {
            logdir: options.logdir,
            generation: scanner.generation,
            warnings: warnings.filter((w) => w.run === null).map((w) => w.message),
            runs: scanner.runs().map((r) => runSummary(r, warnings)),
          },
          head,
        );
        return;
      }
      case "/api/scalars": {
        const run = findRun(url);
        const [tag, s] = findTag(run.scalars, url, "scalar");
        const points = s.values().map((p) => ({ step: p.step, wallTime: p.wallTime, value: jsonNumber(p.value) }));
        sendJson(res, 200, { run: run.name, tag, points }, head);
        return;
      }
      case "/api/images": {
        const run = findRun(url);
        const [tag, s] = findTag(run.images, url, "image");
        const entries = s.values().map(({ id, step, wallTime, width, height }) => ({ id, step, wallTime, width, height }));
        sendJson(res, 200, { run: run.name, tag, entries }, head);
        return;
      }
      case "/api/image": {
        const run = findRun(url);
        const [, s] = findTag(run.images, url, "image");
        const id = Number(url.searchParams.get("id"));
        const entry = s.values().find((e) => e.id === id);
        if (!entry) throw new HttpError(404, `no image with id ${JSON.stringify(url.searchParams.get("id"))} (it may have been thinned out; reload the list)`);
        // An id names one image for the life of the server, so the browser may keep it.
        send(res, 200, imageType(entry.bytes), entry.bytes, head, { "Cache-Control": "private, max-age=31536000, immutable" });
        return;
      }
      case "/api/histograms": {
        const run = findRun(url);
        const [tag, s] = findTag(run.histograms, url, "histogram");
        const bins = url.searchParams.has("bins") ? Number(url.searchParams.get("bins")) : undefined;
        if (bins !== undefined && !(Number.isInteger(bins) && bins >= 1 && bins <= 1000)) {
          throw new HttpError(400, `bins must be an integer in [1, 1000], got ${JSON.stringify(url.searchParams.get("bins"))}`);
        }
        sendJson(res, 200, { run: run.name, tag, ...binHistograms(s.values(), bins) }, head);
        return;
      }
      case "/api/text": {
        const run = findRun(url);
        const [tag, s] = findTag(run.text, url, "text");
        sendJson(res, 200, { run: run.name, tag, entries: s.values() }, head);
        return;
      }
      default:
        throw new HttpError(404, `no API endpoint ${url.pathname}`);
    }
  };

  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive", ...SECURITY_HEADERS });
    res.write(`retry: 2000\ndata: ${JSON.stringify({ generation: scanner.generation })}\n\n`);
    streams.add(res);
    req.on("close", () => streams.delete(res));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      send(res, 405, "text/plain; charset=utf-8", `${req.method} is not supported; the board is read-only\n`, false, { Allow: "GET, HEAD" });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://board.invalid");
    } catch {
      send(res, 400, "text/plain; charset=utf-8", "bad request URL\n", head);
      return;
    }
    try {
      if (url.pathname === "/" || url.pathname === "/index.html") {
        const f = files.get("index.html")!;
        send(res, 200, f.type, f.body, head);
      } else if (url.pathname.startsWith("/static/")) {
        const f = files.get(url.pathname.slice("/static/".length));
        if (!f) throw new HttpError(404, `no file ${url.pathname}`);
        send(res, 200, f.type, f.body, head);
      } else if (url.pathname === "/api/events") {
        openStream(req, res);
      } else if (url.pathname.startsWith("/api/")) {
        api(url, res, head);
      } else {
        throw new HttpError(404, `no page ${url.pathname}`);
      }
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) sendJson(res, e.status, { error: e.message }, head);
      else sendJson(res, 500, { error: `board: ${(e as Error).message}` }, head);
    }
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off("listening", onListening);
      const code = e.code ?? "UNKNOWN";
      const where = `${host}:${port}`;
      const message =
        code === "EADDRINUSE"
          ? `port ${port} is already in use on ${host}; stop the program using it or choose another port with --port (e.g. --port ${port === 65535 ? port - 1 : port + 1}, or --port 0 for any free port)`
          : code === "EACCES"
            ? `not allowed to listen on ${where} (ports below 1024 need privileges); choose another port with --port`
            : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
              ? `cannot listen on ${where}: address ${host} is not available on this machine (check --host)`
              : `cannot listen on ${where}: ${e.message}`;
      reject(new BoardListenError(message, code, host, port));
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });

  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = (): void => {
    timer = null;
    refresh()
      .catch((e) => options.onWarning?.({ run: null, file: null, message: `scan failed: ${(e as Error).message}` }))
      .finally(() => {
        if (!closed) timer = setTimeout(tick, interval);
      });
  };
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(": keep-alive\n\n");
  }, 15_000);
  // The first scan runs in the background: a large logdir fills in while the page is already up.
  tick();

  return {
    url: `http://${urlHost}:${actualPort}/`,
    port: actualPort,
    host,
    scanner,
    refresh,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      clearInterval(heartbeat);
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
