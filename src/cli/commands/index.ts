/**
 * Every `torch-ts` subcommand, in the order `torch-ts --help` lists them. A new command is one file in this
 * directory exporting a `defineCommand(...)`, plus one line here.
 */
import type { Command, FlagSpecs } from "../command.js";
import { board } from "./board.js";
import { train } from "./train.js";

export const COMMANDS: readonly Command<FlagSpecs>[] = [train, board];
