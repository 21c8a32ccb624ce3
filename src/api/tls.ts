/**
 * The API's TLS certificate: the operator's files (`API.TLS.CertFile`/`KeyFile`), or with
 * `API.TLS.SelfSigned` a self-signed pair made once with the `openssl` command and kept in
 * `<data-dir>/tls/` (key mode 0600) so clients that pinned it keep working across restarts.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import type { NodeConfig } from "../config/config.ts";
import { BacalhauError } from "../models/errors.ts";

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Where the certificate is, so clients can be pointed at it (--cacert). */
  certFile: string;
}

function read(file: string, key: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw BacalhauError.badRequest(`${key}: cannot read ${file}: ${(err as Error).message}`, {
      component: "APIServer",
      details: { field: key },
      cause: err,
    });
  }
}

export function apiTlsMaterial(cfg: NodeConfig): TlsMaterial | undefined {
  const t = cfg.API.TLS;
  if (t.CertFile || t.KeyFile) {
    if (!t.CertFile || !t.KeyFile) {
      throw BacalhauError.badRequest("API TLS needs both API.TLS.CertFile and API.TLS.KeyFile", {
        component: "APIServer",
        details: { field: t.CertFile ? "API.TLS.KeyFile" : "API.TLS.CertFile" },
        hint: "give both (--tlscert and --tlskey), or use --self-signed",
      });
    }
    return { cert: read(t.CertFile, "API.TLS.CertFile"), key: read(t.KeyFile, "API.TLS.KeyFile"), certFile: t.CertFile };
  }
  if (!t.SelfSigned) return undefined;
  const dir = join(cfg.DataDir, "tls");
  const certFile = join(dir, "api-cert.pem");
  const keyFile = join(dir, "api-key.pem");
  if (!existsSync(certFile) || !existsSync(keyFile)) makeSelfSigned(cfg.API.Host, dir, certFile, keyFile);
  return { cert: read(certFile, "API.TLS.SelfSigned"), key: read(keyFile, "API.TLS.SelfSigned"), certFile };
}

function makeSelfSigned(host: string, dir: string, certFile: string, keyFile: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = new Set(["IP:127.0.0.1", "IP:::1", "DNS:localhost"]);
  if (host && host !== "0.0.0.0" && host !== "::") names.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "825",
      "-subj", "/CN=bacalhau-node", "-addext", `subjectAltName=${[...names].join(",")}`,
      "-keyout", keyFile, "-out", certFile,
    ], { stdio: ["ignore", "ignore", "pipe"] });
    chmodSync(keyFile, 0o600);
  } catch (err) {
    const missing = (err as { code?: string }).code === "ENOENT";
    throw BacalhauError.badRequest(
      missing ? "a self-signed API certificate needs the openssl command, which is not installed" : `openssl could not make a self-signed certificate: ${(err as Error).message}`,
      {
        component: "APIServer",
        details: { field: "API.TLS.SelfSigned" },
        hint: "install openssl, or give a certificate with API.TLS.CertFile and API.TLS.KeyFile (--tlscert, --tlskey)",
        cause: err,
      },
    );
  }
}
