/**
 * Headless Chromium for the dashboard tests: Debian's system browser driven by playwright-core
 * (which runs under Node and Deno alike). One browser per test file, closed after it.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

export async function launch(t: { after(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  t.after(() => browser.close());
  return browser;
}

/** A page that fails the test on any script error in the dashboard. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  // Shorter than playwright's 30 s: a broken page fails fast instead of stretching the suite.
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    // A refused request is logged by the browser too; the tests check those answers themselves.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`${m.text()} (${m.location().url})`);
  });
  return { page, errors };
}

export function noErrors(errors: string[]): void {
  assert.deepEqual(errors, [], "the dashboard logged errors");
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}
