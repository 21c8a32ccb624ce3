/**
 * IPFS benchmark: moves one file from a provider process to this one on 127.0.0.1, three ways, and
 * prints MB/s for each, plus the time to first byte of a fresh CID fetched over the swarm.
 *
 * - plain TCP copy: a socket, no encryption: the machine's ceiling;
 * - libp2p stream: the private swarm (swarm-key cipher, noise, yamux) without IPFS on top;
 * - IPFS: `get` of the file's CID into a file on disk (what an `ipfs` input does): the whole DAG over
 *   one stream from the holder, bitswap for anything that stream did not bring.
 *
 * @example
 * ```sh
 * node scripts/bench/ipfs.ts                 # 100 MiB, 20 time-to-first-byte samples
 * node scripts/bench/ipfs.ts --mib 256 --ttfb 50 --json
 * deno run -A scripts/bench/ipfs.ts
 * ```
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { multiaddr } from "@multiformats/multiaddr";
import { createIpfsNode } from "../../src/ipfs/index.ts";
import { createP2PHost, createSwarmKey, parseSwarmKey } from "../../src/p2p/index.ts";
import { BLAST_PROTOCOL, receive } from "./ipfs-blast.ts";
import { Cleanup } from "./cleanup.ts";
import { percentile, round1 } from "./stats.ts";

const PROVIDER = fileURLToPath(new URL("./ipfs-provider.ts", import.meta.url));

interface Ready {
  peer: string;
  addrs: string[];
  cid: string;
  addMs: number;
  tcpPort: number;
}

function runtimeArgv(file: string, args: string[]): [string, string[]] {
  return "Deno" in globalThis ? [process.execPath, ["run", "-A", file, ...args]] : [process.execPath, [file, ...args]];
}

async function writeRandom(path: string, bytes: number): Promise<void> {
  async function* pieces() {
    for (let left = bytes; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20));
  }
  await pipeline(pieces, createWriteStream(path));
}

async function sha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Uint8Array);
  return h.digest("hex");
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function tcpCopy(port: number, dest: string): Promise<void> {
  const socket = connect(port, "127.0.0.1");
  await pipeline(socket, createWriteStream(dest));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { mib: { type: "string", default: "100" }, ttfb: { type: "string", default: "20" }, json: { type: "boolean", default: false } },
  });
  const mib = Number(values.mib);
  const samples = Number(values.ttfb);
  const bytes = mib * 1024 * 1024;
  const log = (msg: string) => console.error(`bench ipfs: ${msg}`);
  const cleanup = new Cleanup();
  try {
    const dir = await mkdtemp(join(tmpdir(), "bacalhau-bench-ipfs-"));
    cleanup.defer(`temp dir ${dir}`, () => rm(dir, { recursive: true, force: true }));
    const source = join(dir, "source.bin");
    log(`writing ${mib} MiB of random bytes`);
    await writeRandom(source, bytes);
    const swarmKeyText = createSwarmKey();
    const keyHex = Buffer.from(parseSwarmKey(swarmKeyText)).toString("hex");

    const [cmd, argv] = runtimeArgv(PROVIDER, [join(dir, "provider"), source, keyHex]);
    const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "inherit"] });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    cleanup.defer("provider process", async () => {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const nextLine = async <T>(): Promise<T> => {
      const { value, done } = await lines.next();
      if (done) throw new Error("the provider process ended early");
      return JSON.parse(value) as T;
    };
    log("provider adding the file to IPFS");
    const ready = await nextLine<Ready>();

    const host = await createP2PHost({ swarmPort: 0, listenHost: "127.0.0.1", keyDir: dir, swarmKey: parseSwarmKey(swarmKeyText) });
    cleanup.defer("receiver host", () => host.stop());
    const ipfs = await createIpfsNode({ libp2p: host.libp2p, dataDir: join(dir, "receiver") });
    cleanup.defer("receiver ipfs", () => ipfs.stop());
    await host.libp2p.dial(ready.addrs.map((a) => multiaddr(a)));

    log("plain TCP copy");
    const tcpMs = await timed(() => tcpCopy(ready.tcpPort, join(dir, "tcp.bin")));
    log("raw libp2p stream over the private swarm");
    const streamMs = await timed(async () => {
      const stream = await host.libp2p.dialProtocol(multiaddr(ready.addrs[0]!), BLAST_PROTOCOL);
      const got = await receive(stream, join(dir, "stream.bin"));
      if (got !== bytes) throw new Error(`libp2p stream carried ${got} bytes, expected ${bytes}`);
    });
    log("IPFS fetch (get)");
    const ipfsMs = await timed(() => ipfs.get(ready.cid, join(dir, "ipfs.bin")));
    for (const name of ["tcp.bin", "ipfs.bin"]) {
      if ((await stat(join(dir, name))).size !== bytes) throw new Error(`${name} has the wrong size`);
    }
    if ((await sha256(join(dir, "ipfs.bin"))) !== (await sha256(source))) throw new Error("the IPFS copy differs from the source");

    log(`time to first byte of ${samples} fresh 1 KiB CIDs`);
    const ttfb: number[] = [];
    for (let i = 0; i < samples; i++) {
      child.stdin!.write("small\n");
      const { cid } = await nextLine<{ cid: string }>();
      const t0 = performance.now();
      for await (const _ of ipfs.cat(cid)) break;
      ttfb.push(performance.now() - t0);
    }

    const mbps = (ms: number) => round1(bytes / 1e6 / (ms / 1000));
    const figures = {
      size_mib: mib,
      provider_add_mb_s: mbps(ready.addMs),
      tcp_copy_mb_s: mbps(tcpMs),
      libp2p_stream_mb_s: mbps(streamMs),
      ipfs_fetch_mb_s: mbps(ipfsMs),
      ipfs_vs_tcp_pct: round1((100 * tcpMs) / ipfsMs),
      ipfs_vs_libp2p_stream_pct: round1((100 * streamMs) / ipfsMs),
      ttfb_p50_ms: round1(percentile(ttfb, 50)),
      ttfb_p99_ms: round1(percentile(ttfb, 99)),
    };
    if (values.json) console.log(JSON.stringify(figures));
    else {
      console.log(`IPFS on 127.0.0.1, ${mib} MiB, provider and receiver in separate processes (${"Deno" in globalThis ? "Deno" : "Node"})`);
      console.log(`  add on provider           ${figures.provider_add_mb_s} MB/s`);
      console.log(`  plain TCP copy            ${figures.tcp_copy_mb_s} MB/s`);
      console.log(`  libp2p stream (swarm key) ${figures.libp2p_stream_mb_s} MB/s`);
      console.log(`  IPFS fetch (get)          ${figures.ipfs_fetch_mb_s} MB/s  = ${figures.ipfs_vs_tcp_pct}% of TCP, ${figures.ipfs_vs_libp2p_stream_pct}% of the libp2p stream`);
      console.log(`  time to first byte        p50 ${figures.ttfb_p50_ms} ms, p99 ${figures.ttfb_p99_ms} ms (fresh 1 KiB CID)`);
    }
  } finally {
    await cleanup.run();
  }
}

main().then(
  // A libp2p host that has listened keeps Deno alive after stop: leave explicitly.
  () => process.exit(0),
  (err) => {
    console.error(`bench ipfs: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
