/**
 * Sign-in and read-only mode, against a node behind a gateway that enforces the API's
 * authentication contract (see auth-gateway.ts): the page asks for credentials when the API answers
 * 401, sends them on every request and on the log WebSocket, and hides write controls once a
 * write is refused with 403.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestNode } from "../helpers/node.ts";
import { startGateway } from "./auth-gateway.ts";
import { launch, noErrors, openPage } from "./browser.ts";

const ADMIN = "admin-key-1";
const READER = "reader-key-2";
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

test("dashboard sign-in: API key, user and password, and read-only degradation", async (t) => {
  const node = await startTestNode(t);
  const gw = await startGateway(node.apiURL, { [`Bearer ${ADMIN}`]: "write", [basic("ana", "s3cret")]: "write", [`Bearer ${READER}`]: "read" });
  t.after(() => gw.close());
  const browser = await launch(t);
  const { page, errors } = await openPage(browser);
  const dialog = page.getByRole("dialog", { name: "Sign in" });

  await t.test("a 401 opens the sign-in; the API key then goes with every request and the log stream", async () => {
    await page.goto(`${gw.url}/`);
    await dialog.waitFor();
    assert.match((await dialog.locator("#signin-why").textContent()) ?? "", /needs you to sign in/);
    await dialog.getByLabel("API key", { exact: true }).fill(ADMIN);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#nodes tr[data-node]").first().waitFor();
    assert.equal(await dialog.isVisible(), false);
    assert.match((await page.locator("#who").textContent()) ?? "", /API key/);

    await page.goto(`${gw.url}/#/submit`);
    await page.getByLabel("Module file").setInputFiles(fileURLToPath(new URL("../../wasm/hello.wasm", import.meta.url)));
    await page.getByLabel("Arguments").fill("signed in");
    await page.getByRole("button", { name: "Submit job" }).click();
    await page.locator("#logs", { hasText: "Hello, signed in!" }).waitFor();
    assert.ok(gw.seen.some((r) => r.method === "PUT" && r.auth === `Bearer ${ADMIN}`));
    assert.ok(gw.seen.some((r) => r.websocket && r.path.endsWith("/logs") && r.auth === `Bearer ${ADMIN}`));
  });

  await t.test("wrong credentials are refused with the reason; user and password work", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await dialog.waitFor();
    await dialog.getByLabel("With a user and password").check();
    await dialog.getByLabel("User", { exact: true }).fill("ana");
    await dialog.getByLabel("Password", { exact: true }).fill("wrong");
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await dialog.locator("#signin-why", { hasText: "invalid credentials" }).waitFor();
    await dialog.getByLabel("With a user and password").check();
    await dialog.getByLabel("User", { exact: true }).fill("ana");
    await dialog.getByLabel("Password", { exact: true }).fill("s3cret");
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("main h1").waitFor();
    await page.locator("#who", { hasText: "ana" }).waitFor();
    const before = gw.seen.length;
    await page.goto(`${gw.url}/#/jobs`);
    await page.locator("#jobs tr[data-job]").first().waitFor();
    assert.ok(gw.seen.slice(before).some((r) => r.auth === basic("ana", "s3cret")));
  });

  await t.test("a key without write rights: the refused write turns the page read-only", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await dialog.waitFor();
    await dialog.getByLabel("API key", { exact: true }).fill(READER);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await page.locator("main h1").waitFor();
    const job = page.locator("#jobs tr[data-job] a").first();
    await page.goto(`${gw.url}/#/jobs`);
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
