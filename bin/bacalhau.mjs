#!/usr/bin/env node
// The `bacalhau` executable. An installed package runs its bundled JavaScript (dist/, made by
// `npm run build`; Node does not strip types inside node_modules). A checkout runs the TypeScript
// sources without a build step on a Node that strips types by itself (22.18+ or 23.6+); on an older
// Node this file starts the project's own Node (the `node` devDependency) on the same arguments.
import { spawn } from "node:child_process";
import module from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const REEXEC_MARK = "BACALHAU_EDGE_REEXEC";
const SOURCE = join(root, "src", "cli", "main.ts");

function stripsTypes() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major > 23 || (major === 23 && minor >= 6)) return true;
  return major === 22 && minor >= 18;
}

/** The project's Node, or one hoisted into a parent node_modules when installed as a dependency. */
function bundledNode() {
  const exe = process.platform === "win32" ? "node.exe" : "node";
  let dir = root;
  for (;;) {
    for (const candidate of [join(dir, "node_modules", ".bin", exe), join(dir, "node_modules", "node", "bin", exe)]) {
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

async function runInProcess() {
  // Node's on-disk cache of compiled, type-stripped modules: a warm start then neither strips nor
  // compiles the CLI again (see src/runtime/compile-cache.ts).
  try {
    module.enableCompileCache?.();
  } catch {
    // An unwritable cache only costs speed.
  }
  const entry = existsSync(SOURCE) ? SOURCE : join(root, "dist", "bacalhau.js");
  const { main } = await import(pathToFileURL(entry).href);
  process.exitCode = await main(process.argv.slice(2));
}

function reexec() {
  const node = bundledNode();
  if (!node || process.env[REEXEC_MARK]) {
    process.stderr.write(
      `\nError: this Node (${process.version}) cannot run TypeScript directly\n` +
        "Hint: use Node 22.18 or newer, or run `npm install` in the bacalhau-edge folder to get its Node 24\n",
    );
    process.exitCode = 1;
    return;
  }
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, [REEXEC_MARK]: "1" },
  });
  const forward = (sig) => () => child.kill(sig);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, forward(sig));
  child.on("error", (err) => {
    process.stderr.write(`\nError: cannot start ${node}: ${err.message}\n`);
    process.exitCode = 1;
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exitCode = code ?? 1;
  });
}

if (stripsTypes() || !existsSync(SOURCE)) await runInProcess();
else reexec();
