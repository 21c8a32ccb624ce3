/**
 * A Deno.serve server for download tests, run as its own `deno run` process. Prints
 * "listening on <port>". GET /chunks/<n>/<name> streams n chunks of 64 KiB (chunked encoding);
 * byte i of the body is i % 251, so a test can check every byte.
 */
declare const Deno: {
  serve(
    opts: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: (req: Request) => Response,
  ): unknown;
};

const CHUNK = 64 * 1024;

Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`listening on ${port}`) }, (req) => {
  const m = /^\/chunks\/(\d+)\//.exec(new URL(req.url).pathname);
  if (!m) return new Response("not found", { status: 404 });
  const count = Number(m[1]);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === count) return controller.close();
      const chunk = new Uint8Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) chunk[i] = (sent * CHUNK + i) % 251;
      sent++;
      controller.enqueue(chunk);
    },
  });
  return new Response(body, { headers: { "content-type": "application/octet-stream" } });
});
