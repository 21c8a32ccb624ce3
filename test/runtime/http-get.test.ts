/** The node:http GET client: redirects keep credentials within one origin only, bad Locations are refused. */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import { bodyText, httpGet } from "../../src/runtime/http-get.ts";

type T = { after(fn: () => unknown): void };

/** A server that records each request's headers and answers `route(path)`. */
async function recorder(t: T, route: (path: string) => { status: number; location?: string }) {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? "/", headers: req.headers });
    const { status, location } = route(req.url ?? "/");
    res.writeHead(status, location ? { location } : {}).end(status === 200 ? "done" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

test("httpGet keeps Authorization on a same-origin redirect and drops it across origins", async (t) => {
  const other = await recorder(t, () => ({ status: 200 }));
  const first = await recorder(t, (path) =>
    path === "/same" ? { status: 302, location: "/final" }
    : path === "/away" ? { status: 307, location: `${other.url}/final` }
    : { status: 200 });
  const headers = { authorization: "Bearer secret", accept: "application/json" };

  const same = await httpGet(new URL(`${first.url}/same`), { headers });
  assert.equal(await bodyText(same), "done");
  assert.equal(same.redirected, true);
  assert.equal(first.seen.find((r) => r.path === "/final")?.headers.authorization, "Bearer secret");

  const away = await httpGet(new URL(`${first.url}/away`), { headers });
  assert.equal(await bodyText(away), "done");
  assert.equal(away.url, `${other.url}/final`);
  assert.equal(other.seen[0]?.headers.authorization, undefined);
  assert.equal(other.seen[0]?.headers.accept, "application/json");
});

test("httpGet refuses a redirect to an invalid URL", async (t) => {
  const srv = await recorder(t, () => ({ status: 302, location: "http://[bad" }));
  await assert.rejects(httpGet(new URL(`${srv.url}/x`)), (err: unknown) => {
    assert.ok(err instanceof BacalhauError);
    assert.match(err.message, /redirected to an invalid URL: http:\/\/\[bad/);
    return true;
  });
});
