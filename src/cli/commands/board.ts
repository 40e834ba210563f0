/**
 * `torch-ts board --logdir runs [--port 6006]`: serves the TensorBoard-like page of `src/board` until Ctrl+C.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { BoardListenError, startBoard } from "../../board/server.js";
import { CliError, defineCommand } from "../command.js";

export const board = defineCommand({
  name: "board",
  summary: "serve a web page with the scalars, images, histograms and text of a TensorBoard logdir",
  description: [
    "Every directory under --logdir that holds an event file (written by SummaryWriter) is a run. The page",
    "shows scalar charts (with TensorBoard's smoothing), image grids with a step slider, histograms over",
    "steps and text, and updates as new events are written. Stop with Ctrl+C.",
  ].join("\n"),
  flags: {
    logdir: { type: "string", valueName: "dir", description: "directory of runs (as SummaryWriter's log_dir parent)", required: true },
    port: { type: "number", valueName: "port", description: "port to listen on; 0 picks a free one", default: 6006, integer: true, min: 0, max: 65535 },
    host: { type: "string", valueName: "address", description: "address to bind; 0.0.0.0 makes the board reachable from other machines", default: "127.0.0.1" },
    reloadInterval: { type: "number", valueName: "seconds", description: "how often to look for new events", default: 2, min: 0.05 },
  },
  examples: ["torch-ts board --logdir runs", "torch-ts board --logdir runs --port 0"],
  async run({ flags }, ctx) {
    const logdir = resolve(flags.logdir);
    let isDir: boolean;
    try {
      isDir = (await stat(logdir)).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(code === "ENOENT" ? `logdir '${flags.logdir}' does not exist` : `cannot read logdir '${flags.logdir}': ${(e as Error).message}`);
    }
    if (!isDir) throw new CliError(`logdir '${flags.logdir}' is not a directory`);
    if (ctx.signal.aborted) return 0;
    let server;
    try {
      server = await startBoard({
        logdir,
        port: flags.port,
        host: flags.host,
        reloadIntervalMs: flags.reloadInterval * 1000,
        onWarning: (w) => ctx.stderr.write(`torch-ts board: warning: ${w.file ? `${w.file}: ` : ""}${w.message}\n`),
      });
    } catch (e) {
      if (e instanceof BoardListenError) throw new CliError(e.message);
      throw e;
    }
    ctx.stdout.write(`torch-ts board: serving ${logdir} at ${server.url} (press Ctrl+C to stop)\n`);
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) done();
      else ctx.signal.addEventListener("abort", () => done(), { once: true });
    });
    await server.close();
    return 0;
  },
});
