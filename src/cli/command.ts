/**
 * The pieces every `torch-ts` subcommand is made of: a `Command` (name, flags, `run`), the flag parser, the
 * two error kinds the dispatcher turns into exit codes, and the `--help` text. One command per file in
 * `commands/`, listed in `commands/index.ts`.
 */

/** Exit status of the CLI: 0 done, 1 the command failed, 2 the command line was wrong. */
export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** A flag: `--name value`, `--name=value`, or a bare `--name` for booleans. */
export interface FlagSpec {
  type: "string" | "number" | "boolean";
  /** One line for `--help`. */
  description: string;
  /** Name of the value in `--help` (default: the type). */
  valueName?: string;
  /** Value when the flag is absent (booleans: false). */
  default?: string | number | boolean;
  required?: boolean;
  /** Numbers only: reject values that are not integers. */
  integer?: boolean;
  /** Numbers only: inclusive bounds. */
  min?: number;
  max?: number;
}

export type FlagSpecs = Record<string, FlagSpec>;

type FlagType<S extends FlagSpec> = S["type"] extends "number" ? number : S["type"] extends "boolean" ? boolean : string;

/** The parsed flags: present or defaulted flags have their type; optional ones without default may be undefined. */
export type ParsedFlags<F extends FlagSpecs> = {
  [K in keyof F]: F[K] extends { required: true } | { default: string | number | boolean } | { type: "boolean" }
    ? FlagType<F[K]>
    : FlagType<F[K]> | undefined;
};

/** Where a command writes and what tells a long-running command to stop. */
export interface CommandContext {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Aborted on Ctrl+C / SIGTERM (by `main.ts` when run as a program); long-running commands stop cleanly. */
  signal: AbortSignal;
  /** Set by `--verbose`. */
  verbose: boolean;
}

/** A subcommand. `run` resolves to the exit code (undefined: 0). */
export interface Command<F extends FlagSpecs = FlagSpecs> {
  name: string;
  /** One line, shown in `torch-ts --help`. */
  summary: string;
  /** Paragraphs shown in `torch-ts <name> --help`. */
  description?: string;
  /** Flags in camelCase; on the command line they are kebab-case (`reloadInterval` → `--reload-interval`). */
  flags: F;
  /** Names of positional arguments, for `--help`; when absent, positionals are an error. */
  positionals?: { name: string; description: string; required?: boolean; variadic?: boolean }[];
  examples?: string[];
  run(args: { flags: ParsedFlags<F>; positionals: string[] }, ctx: CommandContext): Promise<number | void>;
}

/** Declares a command with its flag types inferred from `flags`. */
export function defineCommand<const F extends FlagSpecs>(command: Command<F>): Command<F> {
  return command;
}

/** The command line is wrong (exit 2): unknown flag, missing value, bad number. The message says what to fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An expected failure with a message for the user (exit 1 by default); printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.FAILURE,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Flags every command accepts; the dispatcher handles them. */
export const GLOBAL_FLAGS: FlagSpecs = {
  help: { type: "boolean", description: "show this help and exit" },
  verbose: { type: "boolean", description: "print stack traces of unexpected errors" },
};

export const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Levenshtein distance, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate within a small edit distance, or null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function parseValue(cli: string, spec: FlagSpec, raw: string): string | number {
  if (spec.type === "string") return raw;
  const v = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(v)) throw new UsageError(`${cli} expects a number, got '${raw}'`);
  if (spec.integer && !Number.isInteger(v)) throw new UsageError(`${cli} expects an integer, got '${raw}'`);
  if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
    const range =
      spec.max === undefined ? `at least ${spec.min}` : spec.min === undefined ? `at most ${spec.max}` : `between ${spec.min} and ${spec.max}`;
    throw new UsageError(`${cli} must be ${range}, got ${raw}`);
  }
  return v;
}

/**
 * Parses `argv` (the words after the command name) against `flags` plus the global flags. Accepts
 * `--flag value`, `--flag=value`, `--bool`, `--bool=true|false`, and `--` to end the flags.
 */
export function parseFlags<F extends FlagSpecs>(
  command: Pick<Command<F>, "flags" | "positionals">,
  argv: readonly string[],
): { flags: ParsedFlags<F> & { help: boolean; verbose: boolean }; positionals: string[] } {
  const specs: FlagSpecs = { ...command.flags, ...GLOBAL_FLAGS };
  const byCli = new Map(Object.entries(specs).map(([k, s]) => [`--${kebab(k)}`, [k, s] as const]));
  const out: Record<string, string | number | boolean | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === "-h") {
      out.help = true;
      continue;
    }
    if (!word.startsWith("-") || word === "-") {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const cli = eq >= 0 ? word.slice(0, eq) : word;
    const entry = byCli.get(cli);
    if (!entry) {
      const valid = [...byCli.keys()];
      const hint = closest(cli, valid);
      throw new UsageError(`unknown option '${cli}'${hint ? ` (did you mean ${hint}?)` : ""}; valid options: ${valid.join(", ")}`);
    }
    const [key, spec] = entry;
    if (spec.type === "boolean") {
      if (eq < 0) out[key] = true;
      else {
        const raw = word.slice(eq + 1);
        if (raw !== "true" && raw !== "false") throw new UsageError(`${cli} takes no value or true/false, got '${raw}'`);
        out[key] = raw === "true";
      }
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = word.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`${cli} needs a value (${spec.valueName ?? spec.type})`);
      raw = argv[++i];
    }
    out[key] = parseValue(cli, spec, raw);
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (out[key] !== undefined) continue;
    if (spec.default !== undefined) out[key] = spec.default;
    else if (spec.type === "boolean") out[key] = false;
  }
  if (!out.help) {
    for (const [key, spec] of Object.entries(command.flags)) {
      if (spec.required && out[key] === undefined) throw new UsageError(`--${kebab(key)} is required`);
    }
    const pos = command.positionals ?? [];
    if (positionals.length > pos.length && !pos.at(-1)?.variadic) {
      throw new UsageError(`unexpected argument '${positionals[pos.length]}'${pos.length ? "" : " (this command takes only --options)"}`);
    }
    const missing = pos.filter((p, i) => p.required && positionals[i] === undefined);
    if (missing.length) throw new UsageError(`missing argument <${missing[0].name}>`);
  }
  return { flags: out as ParsedFlags<F> & { help: boolean; verbose: boolean }, positionals };
}

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join("\n");
}

/** `torch-ts <command> --help`. */
export function commandHelp(program: string, command: Command<FlagSpecs>): string {
  const pos = (command.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`) + (p.variadic ? "..." : ""));
  const req = Object.entries(command.flags)
    .filter(([, s]) => s.required)
    .map(([k, s]) => `--${kebab(k)} <${s.valueName ?? s.type}>`);
  const lines = [`Usage: ${program} ${command.name} ${[...req, "[options]", ...pos].join(" ")}`, "", command.summary];
  if (command.description) lines.push("", command.description);
  if (command.positionals?.length) {
    lines.push("", "Arguments:", table(command.positionals.map((p) => [p.name, p.description])));
  }
  const flagRow = ([k, s]: [string, FlagSpec]): [string, string] => {
    const name = `--${kebab(k)}${s.type === "boolean" ? "" : ` <${s.valueName ?? s.type}>`}`;
    const extra = s.required ? " (required)" : s.default !== undefined && s.type !== "boolean" ? ` (default: ${s.default})` : "";
    return [name, s.description + extra];
  };
  lines.push("", "Options:", table([...Object.entries(command.flags), ...Object.entries(GLOBAL_FLAGS)].map(flagRow)));
  if (command.examples?.length) lines.push("", "Examples:", ...command.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/** `torch-ts --help`: every command with its summary, and the exit codes. */
export function programHelp(program: string, commands: readonly Command<FlagSpecs>[]): string {
  return [
    `Usage: ${program} <command> [options]`,
    "",
    "Commands:",
    table(commands.map((c) => [c.name, c.summary])),
    "",
    "Global options:",
    table([
      ["--help, -h", "show help (after a command: that command's help)"],
      ["--verbose", "print stack traces of unexpected errors"],
      ["--version", "print the version and exit"],
    ]),
    "",
    `Exit codes: 0 success, 1 the command failed, 2 invalid command line.`,
    `Run '${program} <command> --help' for a command's options.`,
    "",
  ].join("\n");
}
