/** Opening a `urlDownload` result (a tar.gz URL) as a stream, with errors that say what went wrong. */
import { BacalhauError } from "../../models/errors.ts";
import { bodyStream, bodyText, httpGet } from "../../runtime/http-get.ts";
import type { HttpGetResponse } from "../../runtime/http-get.ts";

const COMPONENT = "ResultsDownloader";

export async function openUrl(url: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  let res: HttpGetResponse;
  try {
    // Not global fetch: on Node it can abort the process when a close-delimited body ends under backpressure.
    res = await httpGet(new URL(url), { signal });
  } catch (err) {
    signal.throwIfAborted();
    throw new BacalhauError(`failed to download ${url}: ${(err as Error).message}`, {
      component: COMPONENT,
      hint: "check that the requester (and the compute node that ran the job) is reachable, or raise --download-timeout-secs",
      cause: err,
    });
  }
  if (res.status < 200 || res.status >= 300) {
    // A requester serving the result explains a failure (e.g. the compute node is offline) in an APIError body.
    const body = await bodyText(res).catch(() => "");
    let why = "";
    try {
      const message = (JSON.parse(body) as { Message?: unknown }).Message;
      if (typeof message === "string" && message) why = `: ${message}`;
    } catch { /* not an APIError */ }
    throw new BacalhauError(`failed to download ${url}: HTTP ${res.status}${why}`, { component: COMPONENT });
  }
  return bodyStream(res);
}
