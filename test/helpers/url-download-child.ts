/**
 * Runs one urlDownload in its own process, for tests that need process-wide settings (such as
 * NODE_EXTRA_CA_CERTS, read at start-up). Usage: <url> <work dir>. Prints the downloaded file's
 * content, or `Error: <message>` on stderr with exit code 1.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { createURLSource } from "../../src/storage/url/index.ts";

const [url, workDir] = process.argv.slice(2);
try {
  const vol = await createURLSource({ maxRetries: 0 }).prepare(
    { Source: { Type: "urlDownload", Params: { URL: url } }, Target: "/inputs" },
    { jobID: "j-1", executionID: "e-1", workDir: workDir!, signal: new AbortController().signal },
  );
  const [name] = await readdir(vol.hostPath);
  process.stdout.write(await readFile(join(vol.hostPath, name!), "utf8"));
} catch (err) {
  process.stderr.write(`Error: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
