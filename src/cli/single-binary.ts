/**
 * Entry of the single executable built by `npm run build:binary`: one file that is the CLI and,
 * started with RUNNER_ARG, a wasm runner process of the node that started it.
 */
import process from "node:process";
import { RUNNER_ARG } from "../runtime/embedded.ts";
import { serveRunner } from "../executor/wasm/runner/serve.ts";
import { main } from "./main.ts";

// The runner's command line is the one a Node would get (flags, script, node pid): the executable
// takes none of it as Node options, so the script argument is where it is told to be a runner.
const args = process.argv.slice(2);
const runnerAt = args.indexOf(RUNNER_ARG);
if (runnerAt >= 0) serveRunner(Number(args[runnerAt + 1]));
else void main(args).then((code) => process.exit(code));
