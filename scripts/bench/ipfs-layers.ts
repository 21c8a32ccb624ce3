/**
 * Where the time of a node-to-node IPFS transfer goes: the same file moved between two processes on
 * 127.0.0.1, one layer added at a time, so each layer's cost is the drop from the line above it.
 *
 * - plain TCP copy;
 * - libp2p stream with noise + yamux (no swarm key);
 * - libp2p stream with the swarm-key cipher under noise + yamux;
 * - DAG stream into the blockstore only (`pin`: nothing written outside the repo);
 * - bitswap into memory only (`cat`, bytes dropped: `cat` still streams by bitswap);
 * - DAG stream exported to a file (`get`: what an `ipfs` input does);
 * - in-process: the XSalsa20 keystream alone, and blockstore puts alone.
 *
 * @example
 * ```sh
 * node scripts/bench/ipfs-layers.ts --mib 100
 * deno run -A scripts/bench/ipfs-layers.ts --mib 100
 * ```
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { multiaddr } from "@multiformats/multiaddr";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { DedupFsBlockstore } from "../../src/ipfs/blockstore.ts";
import { createIpfsNode } from "../../src/ipfs/index.ts";
import { createP2PHost, createSwarmKey, parseSwarmKey } from "../../src/p2p/index.ts";
import { XSalsa20Stream } from "../../src/p2p/xsalsa20-stream.ts";
import { BLAST_PROTOCOL, receive } from "./ipfs-blast.ts";
import { Cleanup } from "./cleanup.ts";
import { round1 } from "./stats.ts";

const PROVIDER = fileURLToPath(new URL("./ipfs-provider.ts", import.meta.url));

interface Ready {
  addrs: string[];
  cid: string;
  tcpPort: number;
}

/** Node flags given to this process (--cpu-prof, --trace-gc…) apply to the providers too. */
function runtimeArgv(file: string, args: string[]): [string, string[]] {
  if ("Deno" in globalThis) return [process.execPath, ["run", "-A", file, ...args]];
  return [process.execPath, [...process.execArgv, file, ...args]];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Provider extends Ready {
  /** The provider's CPU time so far, in ms. */
  cpuMs(): Promise<number>;
}

async function startProvider(cleanup: Cleanup, dir: string, source: string, keyHex: string): Promise<Provider> {
  const [cmd, argv] = runtimeArgv(PROVIDER, [dir, source, keyHex]);
  const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanup.defer(`provider ${keyHex === "-" ? "without" : "with"} swarm key`, async () => {
    child.stdin!.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error("the provider process ended early");
      // --trace-gc and the like print to stdout too.
      if (value.startsWith("{")) return JSON.parse(value) as T;
      console.error(value);
    }
  };
  const ready = await next<Ready>();
  return {
    ...ready,
    cpuMs: async () => {
      child.stdin!.write("cpu\n");
      return (await next<{ cpuMs: number }>()).cpuMs;
    },
  };
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mib: { type: "string", default: "100" }, only: { type: "string" } } });
  // --only tcp,open,keyed,pin,cat,get,cipher,puts runs just those layers (e.g. under a profiler).
  const only = values.only?.split(",");
  const want = (layer: string) => only === undefined || only.includes(layer);
  const mib = Number(values.mib);
  const bytes = mib * 1024 * 1024;
  const mbps = (ms: number) => round1(bytes / 1e6 / (ms / 1000));
  const log = (msg: string) => console.error(`bench ipfs-layers: ${msg}`);
  /** Layer, MB/s, and CPU ms per MB in the receiver and in the provider. */
  const rows: Array<[string, number, number?, number?]> = [];
  const perMb = (ms: number) => round1(ms / (bytes / 1e6));
  /** Runs one transfer; MB/s by the wall clock, plus each side's CPU cost per MB. */
  const layer = async (name: string, from: Provider | undefined, fn: () => Promise<unknown>) => {
    const ours = ownCpuMs();
    const theirs = from === undefined ? 0 : await from.cpuMs();
    const ms = await timed(fn);
    const oursUsed = ownCpuMs() - ours;
    const theirsUsed = from === undefined ? undefined : (await from.cpuMs()) - theirs;
    rows.push([name, mbps(ms), perMb(oursUsed), theirsUsed === undefined ? undefined : perMb(theirsUsed)]);
  };
  const cleanup = new Cleanup();
  try {
    const dir = await mkdtemp(join(tmpdir(), "bacalhau-bench-ipfs-layers-"));
    cleanup.defer(`temp dir ${dir}`, () => rm(dir, { recursive: true, force: true }));
    const source = join(dir, "source.bin");
    await pipeline(
      (async function* () {
        for (let left = bytes; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20));
      })(),
      createWriteStream(source),
    );
    const keyText = createSwarmKey();
    const key = parseSwarmKey(keyText);
    const open = await startProvider(cleanup, join(dir, "open"), source, "-");
    const keyed = await startProvider(cleanup, join(dir, "keyed"), source, Buffer.from(key).toString("hex"));

    const tcpCopy = () => pipeline(connect(open.tcpPort, "127.0.0.1"), createWriteStream(join(dir, "tcp.bin")));
    if (want("tcp")) await layer("plain TCP copy", open, tcpCopy);

    let n = 0;
    const receiver = async (swarmKey: Uint8Array | undefined) => {
      const home = join(dir, `receiver-${n++}`);
      await mkdir(home, { recursive: true });
      // Each receiver has its own identity: a peer that comes back under an old PeerId confuses bitswap.
      const host = await createP2PHost({ swarmPort: 0, listenHost: "127.0.0.1", keyDir: home, swarmKey });
      cleanup.defer(`receiver host ${home}`, () => host.stop());
      const ipfs = await createIpfsNode({ libp2p: host.libp2p, dataDir: home });
      cleanup.defer(`receiver ipfs ${home}`, () => ipfs.stop());
      return { host, ipfs, home };
    };
    const streamFrom = async (name: string, from: Provider, swarmKey: Uint8Array | undefined) => {
      const r = await receiver(swarmKey);
      await r.host.libp2p.dial(from.addrs.map((a) => multiaddr(a)));
      await layer(name, from, async () => {
        const stream = await r.host.libp2p.dialProtocol(multiaddr(from.addrs[0]!), BLAST_PROTOCOL);
        const got = await receive(stream, join(r.home, "stream.bin"));
        if (got !== bytes) throw new Error(`the stream carried ${got} bytes, expected ${bytes}`);
      });
    };
    if (want("open")) await streamFrom("libp2p stream (noise, yamux)", open, undefined);
    if (want("keyed")) await streamFrom("libp2p stream (+ swarm key)", keyed, key);

    const ipfsFrom = async (name: string, what: "pin" | "cat" | "get") => {
      const r = await receiver(key);
      await r.host.libp2p.dial(keyed.addrs.map((a) => multiaddr(a)));
      await layer(name, keyed, async () => {
        if (what === "pin") await r.ipfs.pin(keyed.cid);
        else if (what === "get") await r.ipfs.get(keyed.cid, join(r.home, "ipfs.bin"));
        else {
          let got = 0;
          for await (const chunk of r.ipfs.cat(keyed.cid)) got += chunk.byteLength;
          if (got !== bytes) throw new Error(`cat gave ${got} bytes, expected ${bytes}`);
        }
      });
    };
    if (want("pin")) await ipfsFrom("DAG stream into blockstore (pin)", "pin");
    if (want("cat")) await ipfsFrom("bitswap to memory (cat)", "cat");
    if (want("get")) await ipfsFrom("DAG stream to a file (get)", "get");

    if (want("cipher")) {
      const cipher = new XSalsa20Stream(new Uint8Array(24), key);
      const chunk = randomBytes(64 * 1024);
      await layer("XSalsa20 alone, 64 KiB in place", undefined, async () => {
        for (let done = 0; done < bytes; done += chunk.byteLength) cipher.xor(chunk);
      });
    }

    if (want("puts")) {
      const store = new DedupFsBlockstore(join(dir, "puts"));
      await store.open();
      const blocks: Array<[CID, Uint8Array]> = [];
      for (let done = 0; done < bytes; done += 1 << 20) {
        const block = randomBytes(1 << 20);
        blocks.push([CID.createV1(0x55, await sha256.digest(block)), block]);
      }
      await layer("blockstore puts alone, 1 MiB blocks", undefined, () => Promise.all(blocks.map(([c, b]) => store.put(c, b))));
      await store.close();
    }

    console.log(`IPFS layers on 127.0.0.1, ${mib} MiB, two processes (${"Deno" in globalThis ? "Deno" : "Node"})`);
    console.log(`  ${"layer".padEnd(36)} ${"MB/s".padStart(7)}  CPU ms/MB: receiver  provider`);
    for (const [name, v, ours, theirs] of rows) {
      console.log(`  ${name.padEnd(36)} ${String(v).padStart(7)}  ${String(ours ?? "").padStart(18)}  ${String(theirs ?? "").padStart(8)}`);
    }
  } finally {
    await cleanup.run();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench ipfs-layers: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
