#!/usr/bin/env node
/**
 * The `torch-ts` program: `torch-ts <command> [options]`. Finds the command in `commands/index.ts`, parses its
 * flags, runs it and turns errors into messages and exit codes (0 ok, 1 failure, 2 bad command line). Stack
 * traces only with `--verbose`.
 */
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CliError, type Command, type CommandContext, commandHelp, ExitCode, type FlagSpecs, closest, parseFlags, programHelp, UsageError } from "./command.js";
import { COMMANDS } from "./commands/index.js";

const PROGRAM = "torch-ts";

/** What `main` needs from its surroundings; tests pass their own. */
export interface MainIO {
  stdout: CommandContext["stdout"];
  stderr: CommandContext["stderr"];
  /** Stops long-running commands (the program wires SIGINT/SIGTERM to it). Default: never aborted. */
  signal?: AbortSignal;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Runs the CLI on `argv` (the words after the program name) and resolves to the exit code. Never throws:
 * every error becomes a message on `stderr`.
 *
 * @example
 * const code = await main(["board", "--logdir", "runs", "--port", "6006"], { stdout: process.stdout, stderr: process.stderr });
 */
export async function main(argv: readonly string[], io: MainIO, commands: readonly Command<FlagSpecs>[] = COMMANDS): Promise<number> {
  const verbose = argv.includes("--verbose");
  const first = argv.find((a) => a !== "--verbose");
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const target = first === "help" ? argv.slice(argv.indexOf("help") + 1).find((a) => a !== "--verbose") : undefined;
    const cmd = target === undefined ? undefined : commands.find((c) => c.name === target);
    if (target !== undefined && !cmd) {
      const names = commands.map((c) => c.name);
      const hint = closest(target, names);
      io.stderr.write(`${PROGRAM} help: unknown command '${target}'${hint ? `; did you mean '${hint}'?` : ""}\nCommands: ${names.join(", ")}.\n`);
      return ExitCode.USAGE;
    }
    if (cmd) io.stdout.write(commandHelp(PROGRAM, cmd));
    else io.stdout.write(programHelp(PROGRAM, commands));
    // No command at all is a usage error (the help tells what to type); asking for help is not.
    return first === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (first === "--version") {
    io.stdout.write(`${version()}\n`);
    return ExitCode.OK;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    const names = commands.map((c) => c.name);
    const hint = closest(first, names);
    const what = first.startsWith("-") ? `unknown option '${first}' (options go after the command)` : `unknown command '${first}'`;
    io.stderr.write(`${PROGRAM}: ${what}${hint ? `; did you mean '${hint}'?` : ""}\nCommands: ${names.join(", ")}. Run '${PROGRAM} --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  const prefix = `${PROGRAM} ${command.name}`;
  const rest = argv.slice(argv.indexOf(first) + 1);
  try {
    const { flags, positionals } = parseFlags(command, rest);
    if (flags.help) {
      io.stdout.write(commandHelp(PROGRAM, command));
      return ExitCode.OK;
    }
    const ctx: CommandContext = { stdout: io.stdout, stderr: io.stderr, signal: io.signal ?? new AbortController().signal, verbose };
    return (await command.run({ flags, positionals }, ctx)) ?? ExitCode.OK;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${prefix}: ${e.message}\nRun '${prefix} --help' for usage.\n`);
      return ExitCode.USAGE;
    }
    if (e instanceof CliError) {
      io.stderr.write(`${prefix}: ${e.message}\n`);
      if (verbose && e.stack) io.stderr.write(`${e.stack}\n`);
      return e.exitCode;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr.write(`${prefix}: ${err.message}\n`);
    io.stderr.write(verbose ? `${err.stack ?? ""}\n` : `(run with --verbose for the stack trace)\n`);
    return ExitCode.FAILURE;
  }
}

/** True when this file is the program being run (`node dist/cli/main.js`, or the npm `bin` symlink to it). */
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const stop = new AbortController();
  const onSignal = (): void => {
    // A second Ctrl+C while shutting down means "now".
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.exitCode = code;
}
