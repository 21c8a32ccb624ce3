/**
 * `bacalhau id`: prints this host's libp2p peer ID (from `private_key.<swarm port>`, created on first
 * use) and the client ID (sha256 of the client key's RSA modulus, from `user_id.pem`), as the seed did.
 */
import { createHash, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { loadOrCreatePeerKey } from "../p2p/index.ts";
import { parseFlags, type FlagSpec } from "./flags.ts";

const FLAGS: FlagSpec[] = [
  { name: "data-dir", type: "string", help: "where the keys live (default ~/.bacalhau, env BACALHAU_DIR)" },
  { name: "swarm-port", type: "int", default: 1235, help: "the swarm port whose identity to show (default 1235)" },
  { name: "peer", type: "string", help: "accepted for compatibility; not used" },
  { name: "host", type: "string", help: "accepted for compatibility; not used" },
  { name: "help", short: "h", type: "bool", help: "help for id" },
];

/** The client key, RSA-2048 in PKCS#1 PEM, created on first use. */
function clientID(dir: string): string {
  const file = join(dir, "user_id.pem");
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
  }
  const jwk = createPrivateKey(readFileSync(file, "utf8")).export({ format: "jwk" });
  const modulus = Buffer.from(jwk.n as string, "base64url");
  return createHash("sha256").update(modulus).digest("hex");
}

export async function idCommand(args: string[]): Promise<number> {
  const f = parseFlags(args, FLAGS);
  if (f.bool("help")) {
    process.stdout.write("Show the libp2p peer ID and client ID of this host.\n\nUsage:\n  bacalhau id [flags]\n\nFlags:\n" +
      FLAGS.map((x) => `      --${x.name.padEnd(12)} ${x.help}`).join("\n") + "\n");
    return 0;
  }
  const base = process.env.BACALHAU_PATH ? join(process.env.BACALHAU_PATH, ".bacalhau") : "";
  const dir = f.string("data-dir") || base || process.env.BACALHAU_DIR || join(homedir(), ".bacalhau");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = await loadOrCreatePeerKey(dir, f.int("swarm-port"));
  const out = { ID: peerIdFromPrivateKey(key).toString(), ClientID: clientID(dir) };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  return 0;
}
