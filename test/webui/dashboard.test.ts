/**
 * The dashboard, driven in headless Chromium against a real hybrid node with embedded IPFS (started
 * on the runtime running the tests, so `deno test` checks a node on Deno): serving, submitting from
 * the form and as pasted YAML, live logs, stop, rerun, result download, the job list, IPFS, and
 * keyboard and phone use. Each step waits on what the page shows and checks the node's API.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { extractTarGz } from "../../src/codec/tar/index.ts";
import { getJSON, moduleDataURL } from "../helpers/jobs.ts";
import { until } from "../helpers/network.ts";
import { startTestNode, tempDir } from "../helpers/node.ts";
import { launch, noErrors, openPage, screenshot } from "./browser.ts";

const wasm = (name: string) => fileURLToPath(new URL(`../../wasm/${name}.wasm`, import.meta.url));
type Job = { ID: string; Version: number; State: { StateType: string } };

async function jobState(api: string, id: string): Promise<Job> {
  return (await getJSON<{ Job: Job }>(`${api}/api/v1/orchestrator/jobs/${id}`)).Job;
}

/** Fills the submit form for an uploaded module and submits it; resolves with the new job's ID. */
async function submitForm(page: Page, api: string, module: string, opts: { args?: string[]; publisher?: string } = {}): Promise<string> {
  await page.goto(`${api}/#/submit`);
  await page.getByLabel("Module file").setInputFiles(wasm(module));
  if (opts.args) await page.getByLabel("Arguments").fill(opts.args.join("\n"));
  if (opts.publisher) await page.getByLabel("Publisher").selectOption(opts.publisher);
  await page.getByRole("button", { name: "Submit job" }).click();
  await page.waitForURL(/#\/jobs\/[^/]+$/);
  return decodeURIComponent(new URL(page.url()).hash.slice("#/jobs/".length));
}

function findFile(dir: string, name: string): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    }
  }
  return undefined;
}

test("dashboard in a browser against one node", async (suite) => {
  const node = await startTestNode(suite, (cfg) => {
    cfg.IPFS.PrivateInternal = true;
    cfg.P2P.ListenHost = "127.0.0.1";
    cfg.P2P.SwarmPort = 0;
  });
  const api = node.apiURL;
  const browser = await launch(suite);
  const { page, errors } = await openPage(browser);
  page.on("dialog", (d) => void d.accept());

  await suite.test("`/` is the dashboard for a browser and still Bacalhau's redirect for other clients; the first page is small", async () => {
    const plain = await fetch(`${api}/`, { redirect: "manual" });
    assert.equal(plain.status, 301);
    assert.equal(plain.headers.get("location"), "/api/v1/agent/version");
    const escape = await fetch(`${api}/ui/..%2f..%2fapi%2fapp.ts`);
    assert.equal(escape.status, 404);
    await escape.body?.cancel();

    let total = 0;
    const sizes: Promise<void>[] = [];
    page.on("response", (r) => sizes.push(r.body().then((b) => void (total += b.length), () => {})));
    await page.goto(`${api}/`);
    await page.locator("#nodes tr[data-node]").first().waitFor();
    await page.waitForLoadState("networkidle");
    page.removeAllListeners("response");
    await Promise.all(sizes);
    assert.ok(total > 0 && total < 300 * 1024, `first page load: ${total} bytes`);
  });

  let tickerID = "";
  await suite.test("a job submitted from the form shows its logs live, and Stop stops it", async () => {
    tickerID = await submitForm(page, api, "ticker", { args: ["0", "100"] });
    const logs = page.locator("#logs");
    await logs.filter({ hasText: "tick 2" }).waitFor();
    // The job never ends by itself: these lines can only have come over the live stream.
    assert.equal((await jobState(api, tickerID)).State.StateType, "Running");
    const before = ((await logs.textContent()) ?? "").match(/tick \d+/g)!.length;
    await logs.filter({ hasText: `tick ${before + 2}` }).waitFor();
    await page.locator("#log-state", { hasText: "live" }).waitFor();
    await screenshot(page, "job-running");

    await page.getByRole("button", { name: "Stop" }).click();
    await page.locator("#job-state", { hasText: "Stopped" }).waitFor();
    assert.equal((await jobState(api, tickerID)).State.StateType, "Stopped");
    assert.equal(await page.getByRole("button", { name: "Stop" }).isDisabled(), true);
  });

  let outputsID = "";
  await suite.test("results published locally download from the job page", async (t) => {
    outputsID = await submitForm(page, api, "outputs", { args: ["from", "the browser"], publisher: "local" });
    await page.locator("#job-state", { hasText: "Completed" }).waitFor();
    const button = page.locator("#results button[data-result]");
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
    assert.match(download.suggestedFilename(), /\.tar\.gz$/);
    const dir = tempDir(t, "bacalhau-webui-dl-");
    await extractTarGz(readFileSync((await download.path())!), dir);
    const result = findFile(dir, "result.txt");
    assert.ok(result, `no result.txt in ${readdirSync(dir)}`);
    assert.equal(readFileSync(result, "utf8"), "from the browser\n");
    await page.locator("#history li").first().waitFor();
    await page.locator("#spec", { hasText: "EntryModule: main.wasm" }).waitFor();
    await screenshot(page, "job");
  });

  await suite.test("Rerun makes a new version of the job, and the page follows it", async () => {
    await page.getByRole("button", { name: "Rerun" }).click();
    await page.locator("#job-status", { hasText: "Rerun as version 2" }).waitFor();
    await page.locator("#job-version", { hasText: "2" }).waitFor();
    await page.locator("#history li", { hasText: "Job rerun" }).waitFor();
    assert.equal((await jobState(api, outputsID)).Version, 2);
    // (Whether version 2 can run again on the only node is the scheduler's business, not the page's.)
    await page.locator("#job-state .badge", { hasText: /^(Completed|Failed)$/ }).waitFor();
    const shown = await page.locator("#job-state .badge").textContent();
    assert.equal(shown, (await jobState(api, outputsID)).State.StateType);
  });

  await suite.test("a pasted YAML spec runs; a bad one is refused with the field named", async () => {
    await page.goto(`${api}/#/submit`);
    const spec = page.getByLabel("Job spec (YAML or JSON)");
    await spec.fill([
      "Name: from-yaml", "Type: batch", "Count: 1", "Tasks:", "  - Name: main", "    Engine:", "      Type: wasm",
      "      Params:", "        EntryModule: main.wasm", "        Entrypoint: _start", "        Parameters: [yaml]", "    InputSources:",
      "      - Target: main.wasm", "        Source:", "          Type: inline", "          Params:",
      `            URL: "${moduleDataURL("hello")}"`,
    ].join("\n"));
    await page.getByRole("button", { name: "Submit spec" }).click();
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    await page.locator("#logs", { hasText: "Hello, yaml!" }).waitFor();

    await page.goto(`${api}/#/submit`);
    await spec.fill("Type: batch\nCount: 1\nTasks:\n  - Name: main\n    Engine:\n      Type: wasm\n      Params: {}\n");
    await page.getByRole("button", { name: "Submit spec" }).click();
    const error = page.locator("#submit-status [role=alert]");
    await error.waitFor();
    assert.match((await error.textContent()) ?? "", /EntryModule/);
    assert.match(page.url(), /#\/submit$/);
    await screenshot(page, "submit");
  });

  await suite.test("the job list filters by state and name and pages through the jobs", async () => {
    // 22 quick jobs beside the three above: two pages of twenty.
    const noop = { Type: "batch", Count: 1, Tasks: [{ Name: "main", Engine: { Type: "noop" } }] };
    for (let i = 0; i < 22; i++) {
      const res = await fetch(`${api}/api/v1/orchestrator/jobs`, {
        method: "PUT", headers: { "content-type": "application/json" },
        body: JSON.stringify({ Job: { ...noop, Name: `bulk-${i}` } }),
      });
      assert.equal(res.status, 200, await res.text());
    }
    const all = (await getJSON<{ Items: Job[] }>(`${api}/api/v1/orchestrator/jobs`)).Items.length;
    assert.ok(all > 20 && all <= 40, `${all} jobs`);
    await page.goto(`${api}/#/jobs`);
    await page.locator("#jobs-status", { hasText: new RegExp(`^${all} jobs, page 1 of 2$`) }).waitFor();
    assert.equal(await page.locator("#jobs tr[data-job]").count(), 20);
    await page.getByRole("link", { name: "Next" }).click();
    await page.locator("#jobs-status", { hasText: "page 2 of 2" }).waitFor();
    assert.equal(await page.locator("#jobs tr[data-job]").count(), all - 20);

    await page.getByLabel("State").selectOption("Stopped");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator("#jobs-status", { hasText: /^1 job, page 1 of 1$/ }).waitFor();
    assert.deepEqual(await page.locator("#jobs tr[data-job]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.job)), [tickerID]);

    await page.getByLabel("State").selectOption("");
    await page.getByLabel("ID or name contains").fill("from-yaml");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator("#jobs-status", { hasText: /^1 job,/ }).waitFor();
    await screenshot(page, "jobs");
  });

  await suite.test("the overview counts jobs by state and charts them", async () => {
    const settled = new Set(["Completed", "Failed", "Stopped"]);
    const jobs = await until("every job settled", () => getJSON<{ Items: Job[] }>(`${api}/api/v1/orchestrator/jobs`).then((r) => r.Items),
      (items) => items.every((j) => settled.has(j.State.StateType)));
    const count = (s: string) => jobs.filter((j) => j.State.StateType === s).length;
    await page.goto(`${api}/#/`);
    for (const state of ["Completed", "Stopped", "Failed"]) {
      await page.locator(`#job-counts a[data-state=${state}] strong`, { hasText: new RegExp(`^${count(state)}$`) }).waitFor();
    }
    // The jobs/s line rises above zero: more than twenty jobs were created in the last minutes.
    const label = (await page.locator("#timeline svg").getAttribute("aria-label")) ?? "";
    assert.match(label, /jobs\/s \d/);
    const peak = await page.locator("#timeline path.series").first().evaluate((p) =>
      Math.min(...[...(p.getAttribute("d") ?? "").matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]))));
    assert.ok(peak < 100, `the jobs/s line stays flat (highest point at y=${peak})`);
    await screenshot(page, "overview");
  });

  let noteCID = "";
  await suite.test("IPFS: a file and a folder added from the browser are pinned and open by CID", async (t) => {
    await page.goto(`${api}/#/ipfs`);
    await page.getByLabel("File", { exact: true }).setInputFiles({ name: "note.txt", mimeType: "text/plain", buffer: Buffer.from("hello ipfs\n") });
    await page.getByRole("button", { name: "Add file" }).click();
    const added = page.locator("#added-cid");
    await added.waitFor();
    const fileCID = (await added.textContent())!.trim();
    noteCID = fileCID;
    assert.equal(await node.ipfs!.isPinned(fileCID), true);
    await page.locator("#pins a", { hasText: fileCID }).waitFor();

    const folder = tempDir(t, "bacalhau-webui-folder-");
    mkdirSync(join(folder, "data", "sub"), { recursive: true });
    writeFileSync(join(folder, "data", "a.txt"), "first\n");
    writeFileSync(join(folder, "data", "sub", "b.txt"), "second\n");
    await page.getByLabel("Folder", { exact: true }).setInputFiles(join(folder, "data"));
    await page.getByRole("button", { name: "Add folder" }).click();
    await page.locator("#added-cid").filter({ hasNotText: fileCID }).waitFor();
    const dirCID = (await page.locator("#added-cid").textContent())!.trim();
    assert.equal(await node.ipfs!.isPinned(dirCID), true);
    assert.equal((await node.ipfs!.stat(dirCID)).type, "directory");

    await page.locator("#pins a", { hasText: dirCID }).click();
    await page.locator("#cid-entries td", { hasText: "sub/b.txt" }).waitFor();
    await page.locator("pre.preview", { hasText: "first" }).waitFor();
    await screenshot(page, "ipfs");
  });

  await suite.test("a job from the form reads an IPFS input and an inline file", async () => {
    await page.goto(`${api}/#/submit`);
    await page.getByLabel("Module file").setInputFiles(wasm("cat"));
    await page.getByLabel("Arguments").fill("/data/note.txt\n/inline.txt");
    await page.getByRole("button", { name: "Add input" }).click();
    const first = page.getByRole("group", { name: "Input 1" });
    await first.getByLabel("Kind").selectOption("ipfs");
    await first.getByLabel("CID or URL").fill(noteCID);
    await first.getByLabel("Mounted at").fill("/data/note.txt");
    await page.getByRole("button", { name: "Add input" }).click();
    const second = page.getByRole("group", { name: "Input 2" });
    await second.getByLabel("Kind").selectOption("inline");
    await second.getByLabel("File").setInputFiles({ name: "inline.txt", mimeType: "text/plain", buffer: Buffer.from("inline bytes\n") });
    await second.getByLabel("Mounted at").fill("/inline.txt");
    await page.getByRole("button", { name: "Submit job" }).click();
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    await page.locator("#job-state", { hasText: "Completed" }).waitFor();
    await page.locator("#logs", { hasText: "hello ipfs\ninline bytes\n" }).waitFor();
  });

  await suite.test("keyboard: the skip link comes first, the navigation works with Enter, every control has a label", async () => {
    // A fresh load (not a hash change, which moves focus to the page's heading).
    await page.goto("about:blank");
    await page.goto(`${api}/#/`);
    await page.locator("#nodes tr[data-node]").first().waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.textContent)) === "Jobs") break;
    }
    await page.keyboard.press("Enter");
    await page.waitForURL(/#\/jobs$/);
    await page.locator("h1", { hasText: "Jobs" }).waitFor();
    // Focus moves to the new page's heading once it has rendered.
    await page.waitForFunction(() => document.activeElement?.tagName === "H1" && document.activeElement.textContent === "Jobs");
    for (const route of ["#/", "#/jobs", "#/submit", "#/ipfs", `#/jobs/${outputsID}`]) {
      await page.goto(`${api}/${route}`);
      await page.locator("main h1").waitFor();
      await page.locator("main section").first().waitFor();
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll("main input, main select, main textarea, main button")]
          .filter((el) => {
            const e = el as HTMLInputElement;
            return !(e.labels?.length || e.getAttribute("aria-label") || (el.tagName === "BUTTON" && el.textContent?.trim()));
          })
          .map((el) => el.outerHTML.slice(0, 80)));
      assert.deepEqual(unlabelled, [], route);
      assert.equal(await page.locator("header nav[aria-label=Main]").count(), 1);
      assert.equal(await page.locator("main").count(), 1);
    }
  });

  await suite.test("readable on a phone: no sideways scrolling", async () => {
    const phone = await openPage(browser, { width: 390, height: 844 });
    for (const route of ["#/", "#/jobs", "#/submit", "#/ipfs", `#/jobs/${outputsID}`]) {
      await phone.page.goto(`${api}/${route}`);
      await phone.page.locator("main section").first().waitFor();
      await phone.page.waitForLoadState("networkidle");
      const { overflow, culprits } = await phone.page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const culprits = [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest(".table-wrap"))
          .map((el) => el.outerHTML.slice(0, 100));
        return { overflow: document.documentElement.scrollWidth - width, culprits };
      });
      assert.ok(overflow <= 0, `${route} scrolls sideways by ${overflow}px: ${culprits.slice(-3).join(" | ")}`);
      if (route === "#/") await screenshot(phone.page, "phone-overview");
    }
    noErrors(phone.errors);
    await phone.page.close();
  });

  noErrors(errors);
});
