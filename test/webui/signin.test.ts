/**
 * Sign-in and read-only mode against the node's own authentication (API.Auth.Users, loopback
 * callers not anonymous): the page asks for credentials when the API answers 401, sends them on
 * every request and on the log WebSocket (the node refuses both without them), and hides write
 * controls once a write is refused with 403.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestNode } from "../helpers/node.ts";
import { launch, noErrors, openPage } from "./browser.ts";

const ADMIN = "admin-key-0123456789abcdef";
const READER = "reader-key-0123456789abcdef";
const PASSWORD = "s3cret-password";

test("dashboard sign-in: API key, user and password, and read-only degradation", async (t) => {
  const node = await startTestNode(t, (cfg) => {
    cfg.API.Auth.AnonymousLoopback = false;
    cfg.API.Auth.Users = [
      { Alias: "admin", APIKey: ADMIN, Capabilities: [{ Actions: ["*"] }] },
      { Alias: "ana", Username: "ana", Password: PASSWORD, Capabilities: [{ Actions: ["*"] }] },
      { Alias: "reader", APIKey: READER, Capabilities: [{ Actions: ["read:*"] }] },
    ];
  });
  const browser = await launch(t);
  const { page, errors } = await openPage(browser);
  const dialog = page.getByRole("dialog", { name: "Sign in" });
  const sent: Array<{ method: string; auth: string | undefined }> = [];
  page.on("request", (r) => void sent.push({ method: r.method(), auth: r.headers()["authorization"] }));
  const sockets: string[] = [];
  page.on("websocket", (ws) => void sockets.push(ws.url()));

  await t.test("a 401 opens the sign-in; the API key then goes with every request and the log stream", async () => {
    await page.goto(`${node.apiURL}/`);
    await dialog.waitFor();
    assert.match((await dialog.locator("#signin-why").textContent()) ?? "", /needs you to sign in/);
    await dialog.getByLabel("API key", { exact: true }).fill(ADMIN);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#nodes tr[data-node]").first().waitFor();
    assert.equal(await dialog.isVisible(), false);
    assert.match((await page.locator("#who").textContent()) ?? "", /API key/);

    await page.goto(`${node.apiURL}/#/submit`);
    await page.getByLabel("Module file").setInputFiles(fileURLToPath(new URL("../../wasm/hello.wasm", import.meta.url)));
    await page.getByLabel("Arguments").fill("signed in");
    await page.getByRole("button", { name: "Submit job" }).click();
    await page.locator("#logs", { hasText: "Hello, signed in!" }).waitFor();
    // The node refuses every unauthenticated call, so the logs above came through a signed-in socket.
    assert.ok(sent.some((r) => r.method === "PUT" && r.auth === `Bearer ${ADMIN}`));
    assert.ok(sockets.some((u) => u.includes("/logs") && new URL(u).searchParams.get("authorization") === `Bearer ${ADMIN}`));
  });

  await t.test("wrong credentials are refused with the reason; user and password work", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await dialog.waitFor();
    await dialog.getByLabel("With a user and password").check();
    await dialog.getByLabel("User", { exact: true }).fill("ana");
    await dialog.getByLabel("Password", { exact: true }).fill("wrong");
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await dialog.locator("#signin-why", { hasText: "invalid username or password" }).waitFor();
    await dialog.getByLabel("With a user and password").check();
    await dialog.getByLabel("User", { exact: true }).fill("ana");
    await dialog.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("main h1").waitFor();
    await page.locator("#who", { hasText: "ana" }).waitFor();
    const before = sent.length;
    await page.goto(`${node.apiURL}/#/jobs`);
    await page.locator("#jobs tr[data-job]").first().waitFor();
    const basic = `Basic ${Buffer.from(`ana:${PASSWORD}`).toString("base64")}`;
    assert.ok(sent.slice(before).some((r) => r.auth === basic));
  });

  await t.test("a key without write rights: the refused write turns the page read-only", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await dialog.waitFor();
    await dialog.getByLabel("API key", { exact: true }).fill(READER);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("main h1").waitFor();
    const job = page.locator("#jobs tr[data-job] a").first();
    await page.goto(`${node.apiURL}/#/jobs`);
    await job.click();
    const rerun = page.getByRole("button", { name: "Rerun" });
    await rerun.click();
    await page.locator("#job-status", { hasText: "write:job" }).waitFor();
    assert.equal(await rerun.isVisible(), false);
    assert.equal(await page.getByRole("link", { name: "Submit" }).isVisible(), false);
    await page.locator("#who", { hasText: "read-only" }).waitFor();
  });

  noErrors(errors);
});
