// Shared by the browser scripts: launching the system Chromium through playwright-core,
// timing helpers, and a failure type whose message is printed without a stack.

import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

/// The Chromium binary: $CHROMIUM if set, else Debian's /usr/bin/chromium.
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/// A check that did not hold; the scripts print its message alone and exit 1.
export class Failure extends Error {}

export function fail(message) {
  throw new Failure(message);
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    fail(`no Chromium at ${CHROMIUM} (set CHROMIUM to its path)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: 30_000,
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// Polls `probe` (which may throw while a page navigates) until it returns a truthy
/// value or `ms` pass; fails with `what` and the last value or error seen.
export async function waitUntil(what, ms, probe, interval = 100) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (e) {
      last = e instanceof Error ? e.message.split("\n")[0] : String(e);
    }
    if (Date.now() > deadline) {
      fail(`timed out after ${ms / 1000} s waiting for ${what}` +
        (last !== undefined && last !== false && last !== null ? ` (last seen: ${JSON.stringify(last)})` : ""));
    }
    await sleep(interval);
  }
}

/// Runs `main`, prints a Failure's message (or any other error's stack) and sets the
/// exit code; `cleanup(code)` always runs.
export async function runMain(name, main, cleanup = async () => {}) {
  let code = 0;
  try {
    await main();
  } catch (e) {
    code = 1;
    if (e instanceof Failure) console.error(`${name}: FAIL: ${e.message}`);
    else console.error(`${name}: FAIL: unexpected error: ${e && e.stack ? e.stack : e}`);
  } finally {
    try {
      await cleanup(code);
    } catch (e) {
      console.error(`${name}: cleanup: ${e && e.message ? e.message : e}`);
    }
  }
  process.exitCode = code;
  // Do not let a dangling handle (a socket, a child pipe) keep the process alive.
  setTimeout(() => process.exit(code), 500).unref();
}
