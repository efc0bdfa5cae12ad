// Live reload in a real browser: `serve` a book, open its first baseline page, save an
// edit and see it appear without the test reloading; save broken YAML and see the error
// overlay name the file and line; fix it and see the overlay go.
//
// Usage: node live-reload.mjs BINARY BOOKDIR
// Exits 0 when every step holds, 1 with a message otherwise. The server is always
// killed and the baseline file restored.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fail, launchBrowser, runMain, sleep, waitUntil } from "./common.mjs";

const NAME = "live-reload";
const STEP_TIMEOUT = 15_000;
const OVERLAY = "#__controlbook_overlay";

const [binary, bookArg] = process.argv.slice(2);
if (!binary || !bookArg) {
  console.error("usage: node live-reload.mjs BINARY BOOKDIR");
  process.exit(2);
}
const book = resolve(bookArg);

let server = null;
let serverLog = "";
let browser = null;
let restore = null;

function killServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill("SIGKILL");
  }
}
process.on("exit", killServer);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    killServer();
    if (restore) restore();
    process.exit(130);
  });
}

/// Starts `BINARY --root BOOK serve --port 0` and resolves with the URL it prints first.
function startServer() {
  return new Promise((resolveUrl, reject) => {
    server = spawn(binary, ["--root", book, "serve", "--port", "0"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`serve printed no URL within 60 s; stderr:\n${serverLog}`)),
      60_000,
    );
    server.stdout.setEncoding("utf8");
    server.stderr.setEncoding("utf8");
    server.stderr.on("data", (chunk) => (serverLog += chunk));
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const url = out.split("\n")[0].match(/https?:\/\/\S+/);
      if (url && out.includes("\n")) {
        clearTimeout(timer);
        resolveUrl(url[0].endsWith("/") ? url[0] : `${url[0]}/`);
      }
    });
    server.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${e.message}`));
    });
    server.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${signal || code}) before printing its URL; stderr:\n${serverLog}`));
    });
  });
}

/// The baseline the test edits: the first YAML file by name, and its page's slug.
function firstBaseline() {
  const dir = join(book, "content", "baselines");
  let files;
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith(".")).sort();
  } catch (e) {
    fail(`cannot read ${dir}: ${e.message}`);
  }
  if (files.length === 0) fail(`no baseline YAML in ${dir}`);
  const path = join(dir, files[0]);
  const text = readFileSync(path, "utf8");
  const slug = text.match(/^slug:\s*["']?([^"'\s#]+)/m)?.[1] ?? files[0].replace(/\.ya?ml$/, "");
  if (!/^service:/m.test(text)) fail(`${path} has no top-level \`service:\` line to edit`);
  return { path, text, slug };
}

async function main() {
  const baseline = firstBaseline();
  const file = basename(baseline.path);
  restore = () => writeFileSync(baseline.path, baseline.text);

  const base = await startServer();
  console.log(`${NAME}: serving ${book} at ${base}`);

  browser = await launchBrowser();
  const page = await browser.newPage();
  const pageErrors = [];
  const consoleErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${m.text()}${m.location().url ? ` (${m.location().url})` : ""}`);
  });
  page.on("dialog", (d) => {
    pageErrors.push(`unexpected ${d.type()} dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  let navigations = 0;
  page.on("framenavigated", (frame) => frame === page.mainFrame() && navigations++);

  // The home page should link to the baseline; the page itself is /<slug>/index.html.
  await page.goto(base, { waitUntil: "load" });
  const linked = await page.$$eval(
    "a[href]",
    (links, slug) => links.map((a) => a.href).find((h) => new URL(h).pathname.split("/").includes(slug)),
    baseline.slug,
  );
  const target = linked ?? new URL(`${baseline.slug}/index.html`, base).href;
  if (!linked) console.log(`${NAME}: note: the home page has no link to ${baseline.slug}; opening ${target}`);

  const subscribed = page.waitForResponse((r) => r.url().includes("/__controlbook/events"), {
    timeout: STEP_TIMEOUT,
  });
  const response = await page.goto(target, { waitUntil: "load" });
  if (!response || response.status() !== 200) {
    fail(`${target} answered ${response ? response.status() : "nothing"}`);
  }
  await subscribed.catch(() => fail("the page never subscribed to /__controlbook/events (no reload script?)"));
  await sleep(300); // let the event stream settle before the first save
  const startNavigations = navigations;
  console.log(`${NAME}: opened ${page.url()}`);

  // 1. An edit shows up by itself.
  const marker = `LiveReload${Date.now().toString(36)}`;
  const edited = baseline.text.replace(/^service:[ \t]*(.*)$/m, (_, value) => {
    const plain = value.replace(/^["']|["']$/g, "");
    return `service: ${plain} ${marker}`;
  });
  let started = Date.now();
  writeFileSync(baseline.path, edited);
  await waitUntil(`the page to show ${marker} after editing ${file}`, STEP_TIMEOUT, () =>
    page.evaluate((m) => document.body !== null && document.body.innerText.includes(m), marker),
  ).catch((e) => {
    if (navigations === startNavigations && /rebuilt/.test(serverLog)) {
      fail(
        `${e.message}\n  serve rebuilt after the save but the page never reloaded itself: the ` +
          "`reload` event did not reach the page's EventSource listener (browsers drop an SSE " +
          "event that has no `data:` line)",
      );
    }
    throw e;
  });
  console.log(
    `${NAME}: ok: the edit appeared in ${Date.now() - started} ms ` +
      `(the page reloaded itself ${navigations - startNavigations} time(s))`,
  );

  // 2. Broken YAML: the overlay names the file and a line, over the last good page.
  const brokenLine = edited.split("\n").length + (edited.endsWith("\n") ? 0 : 1);
  started = Date.now();
  writeFileSync(baseline.path, `${edited}${edited.endsWith("\n") ? "" : "\n"}bad: [\n`);
  const where = new RegExp(`${file.replace(/\./g, "\\.")}:(\\d+)`);
  const overlay = await waitUntil(
    `an error overlay (${OVERLAY}) naming ${file}:LINE`,
    STEP_TIMEOUT,
    () =>
      page.evaluate(
        ([sel, re]) => {
          const box = document.querySelector(sel);
          return box && new RegExp(re).test(box.textContent) ? box.textContent : null;
        },
        [OVERLAY, where.source],
      ),
  );
  const line = Number(overlay.match(where)[1]);
  if (line < brokenLine) {
    fail(`the overlay points at ${file}:${line}, before the broken line ${brokenLine}:\n${overlay}`);
  }
  if (!(await page.evaluate((m) => document.body.innerText.includes(m), marker))) {
    fail("with the overlay up, the last good content is gone");
  }
  console.log(`${NAME}: ok: the overlay appeared in ${Date.now() - started} ms: ${file}:${line}`);

  // 3. Fixed: the overlay goes away.
  started = Date.now();
  writeFileSync(baseline.path, edited);
  await waitUntil(`the overlay to go away after fixing ${file}`, STEP_TIMEOUT, () =>
    page.evaluate(
      ([sel, m]) => document.querySelector(sel) === null && document.body.innerText.includes(m),
      [OVERLAY, marker],
    ),
  );
  console.log(`${NAME}: ok: the overlay went away in ${Date.now() - started} ms`);

  if (pageErrors.length > 0) fail(`errors in the page:\n  ${pageErrors.join("\n  ")}`);
  for (const e of consoleErrors) console.log(`${NAME}: warning: console error: ${e}`);
  console.log(`${NAME}: PASS`);
}

await runMain(NAME, main, async (code) => {
  if (browser) await browser.close().catch(() => {});
  killServer();
  if (restore) restore();
  if (code !== 0 && serverLog.trim()) {
    // Already failing: the server's own account helps.
    console.error(`${NAME}: serve stderr (last 2000 chars):\n${serverLog.slice(-2000)}`);
  }
});
