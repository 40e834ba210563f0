/**
 * Every `torch-ts` subcommand, in the order `torch-ts --help` lists them. A new command is one file in this
 * directory exporting a `defineCommand(...)`, plus one line here.
 */
import type { Command, FlagSpecs } from "../command.js";
import { board } from "./board.js";
import { start } from "./start.js";
import { train } from "./train.js";
import { visualize } from "./visualize.js";
import { summary } from "./summary.js";
import { plotActivations } from "./plot-activations.js";

export const COMMANDS: readonly Command<FlagSpecs>[] = [start, train, visualize, plotActivations, summary, board];
