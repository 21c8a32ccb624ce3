/**
 * The quick-start demo: starts a private hybrid node in this process (orchestrator + compute joined
 * in-process, its own SQLite store and API on a free local port), runs wasm/hello.wasm on it with the
 * real CLI, shows the job's output and logs, then stops the node and removes its data.
 *
 *   npm run demo            # on Node 24
 *   deno task demo          # on Deno 2
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { main, processIO } from "../src/cli/main.ts";
import { localHybridConfig } from "../src/config/config.ts";
import { startNode } from "../src/node/node.ts";

const dataDir = mkdtempSync(join(tmpdir(), "bacalhau-demo-"));
const cfg = localHybridConfig(dataDir);

const say = (s: string) => process.stdout.write(`\x1b[1m${s}\x1b[0m\n`);
let code = 1;
const node = await startNode(cfg);
try {
  say(`Started a private node ${node.nodeID} (orchestrator + compute) with its API at ${node.apiURL}`);
  const io = { ...processIO(), env: { ...process.env, BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(node.apiPort) } };
  const ids: string[] = [];
  const capture = { ...io, out: (s: string) => void ids.push(s.trim()) };

  say("\n$ bacalhau wasm run wasm/hello.wasm -- Alice");
  code = await main(["wasm", "run", "wasm/hello.wasm", "-p", "local", "--", "Alice"], io);
  if (code === 0) {
    await main(["job", "list", "--output", "json"], { ...capture });
    const jobs = JSON.parse(ids.join("")) as Array<{ ID: string }>;
    const id = jobs[jobs.length - 1].ID;
    say(`\n$ bacalhau job logs ${id}`);
    code = await main(["job", "logs", id], io);
    const out = join(dataDir, "results");
    say(`\n$ bacalhau job get ${id} --output-dir ${out}`);
    code ||= await main(["job", "get", id, "--output-dir", out], io);
    say(`\n$ cat ${join(out, "stdout")}`);
    process.stdout.write(await (await import("node:fs/promises")).readFile(join(out, "stdout"), "utf8"));
  }
} finally {
  await node.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
say(code === 0 ? "\nDemo finished: the job ran in a WASI sandbox on your private node." : "\nDemo failed.");
process.exit(code);
