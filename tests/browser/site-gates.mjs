// Release gates for a built site, in a real browser: accessibility (axe), search, the
// dark-mode toggle, console errors, same-origin links, and screenshots for review.
// The site is served under a URL prefix to catch links that only work at the root.
//
// Usage: node site-gates.mjs SITEDIR [PREFIX]
//   PREFIX defaults to `/`; with `/some/path/`, /some/path/index.html is SITEDIR/index.html
//   and every URL outside the prefix is a 404 (SITEDIR/404.html, status 404).
// Screenshots go to tests/browser/screenshots/ (a sub-folder named after PREFIX unless it
// is `/`), or to $SCREENSHOTS_DIR. Exits 0 when every check passes, 1 otherwise.
//
// The contract the site must meet:
// - pages index.html, <slug>/index.html per baseline, matrix/index.html, controls/index.html;
// - no axe violation of impact serious or critical, in the light and the dark theme;
// - home: <input id="search" type="search"> and <div id="search-results"> whose results are
//   <a role="option" href>; `/` focuses the input, ArrowDown/ArrowUp move
//   aria-selected="true", Enter follows the selected result;
// - button #theme-toggle flips data-theme on <html> between light and dark, kept across a
//   reload;
// - no console error, page error or dialog on any page; every same-origin <a href>,
//   <link href>, <script src> and <img src> answers 200.

import { createServer } from "node:http";
import { createReadStream, existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { fail, launchBrowser, runMain, waitUntil } from "./common.mjs";

const NAME = "site-gates";
const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));

const [siteArg, prefixArg = "/"] = process.argv.slice(2);
if (!siteArg) {
  console.error("usage: node site-gates.mjs SITEDIR [PREFIX]");
  process.exit(2);
}
const site = resolve(siteArg);
const prefix = `/${prefixArg.replace(/^\/+|\/+$/g, "")}/`.replace(/^\/\/$/, "/");
const shots = process.env.SCREENSHOTS_DIR
  ? resolve(process.env.SCREENSHOTS_DIR)
  : join(HERE, "screenshots", prefix === "/" ? "" : prefix.replace(/^\/|\/$/g, "").replace(/\//g, "-"));

// Top-level folders of the site that are not baselines.
const NOT_BASELINES = new Set(["matrix", "controls", "downloads", "assets", "search"]);

// ---------------------------------------------------------------------------------------
// A static server for SITEDIR under PREFIX.

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml",
  ".pdf": "application/pdf",
  ".wasm": "application/wasm",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/// The file under `site` a URL path names, or null (outside the prefix or the site).
function fileFor(pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!path.startsWith(prefix) || path.includes("\0")) return null;
  const file = resolve(site, `.${sep}${path.slice(prefix.length)}`);
  if (file !== site && !file.startsWith(site + sep)) return null;
  return file;
}

function startStaticServer() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const send = (status, file, headers = {}) => {
      const type = TYPES[extname(file).toLowerCase()] || "application/octet-stream";
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
      if (req.method === "HEAD") return res.end();
      createReadStream(file).pipe(res);
    };
    const notFound = () => {
      const page = join(site, "404.html");
      if (existsSync(page)) return send(404, page);
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : "404 Not Found\n");
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      return res.end();
    }
    const file = fileFor(url.pathname);
    if (!file || !existsSync(file)) return notFound();
    const stat = statSync(file);
    if (stat.isDirectory()) {
      if (!url.pathname.endsWith("/")) {
        res.writeHead(301, { location: `${url.pathname}/${url.search}` });
        return res.end();
      }
      const index = join(file, "index.html");
      return existsSync(index) ? send(200, index) : notFound();
    }
    return send(200, file);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

// ---------------------------------------------------------------------------------------
// Results.

const results = []; // { name, status: "pass" | "fail" | "skip", detail }

async function check(name, body) {
  const started = Date.now();
  try {
    const detail = await body();
    results.push({ name, status: "pass", detail: detail || "" });
    console.log(`${NAME}: PASS ${name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ""}`);
    return true;
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    results.push({ name, status: "fail", detail: message });
    console.log(`${NAME}: FAIL ${name}: ${message}`);
    return false;
  }
}

function skip(name, why) {
  results.push({ name, status: "skip", detail: why });
  console.log(`${NAME}: SKIP ${name}: ${why}`);
}

// ---------------------------------------------------------------------------------------
// Page helpers.

const problems = []; // console errors, page errors and dialogs, on any page
const linkSources = new Map(); // same-origin URL (no fragment) -> first page linking it
let origin = "";

/// Listens for console errors, page errors and dialogs on `page`. A navigation that is
/// expected to answer 404 may log that one failed load; `expected404` lists such URLs.
function watch(page, expected404) {
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const at = m.location().url || page.url();
    // A page that fails to load is reported by `open`, which checks its status.
    if (opened.has(at) && /^Failed to load resource/.test(m.text())) return;
    if (expected404.has(at) && /status of 404/.test(m.text())) return;
    problems.push(`console error on ${page.url()}: ${m.text()}${at ? ` (${at})` : ""}`);
  });
  page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`${d.type()} dialog on ${page.url()}: ${JSON.stringify(d.message())}`);
    d.dismiss().catch(() => {});
  });
  page.on("response", (r) => {
    if (r.request().isNavigationRequest()) return; // checked by `open`
    if (r.status() >= 400 && !expected404.has(r.url())) {
      problems.push(`HTTP ${r.status()} for ${r.url()} (loaded by ${page.url()})`);
    }
  });
}

const opened = new Set(); // URLs navigated to by `open`

async function open(page, url, status = 200) {
  opened.add(url);
  const response = await page.goto(url, { waitUntil: "load" });
  const got = response ? response.status() : "no response";
  if (got !== status) fail(`${url} answered ${got}, expected ${status}`);
  await collectLinks(page);
}

/// Records the same-origin URLs that `page` links to, for the link check at the end.
async function collectLinks(page) {
  const urls = await page.$$eval("a[href], link[href], script[src], img[src]", (els) =>
    els.map((el) => el.href || el.src).filter(Boolean),
  );
  const self = new URL(page.url());
  self.hash = "";
  for (const raw of urls) {
    const url = new URL(raw);
    if (url.origin !== origin) continue;
    url.hash = "";
    if (url.href === self.href) continue; // links within the page itself
    if (!linkSources.has(url.href)) linkSources.set(url.href, page.url());
  }
}

const AXE = require.resolve("axe-core/axe.min.js");

/// axe violations of impact serious or critical on the loaded page, as readable lines.
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.addScriptTag({ path: AXE });
  }
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(" "),
          html: n.html.slice(0, 160),
          summary: (n.failureSummary || "").replace(/\s+/g, " ").trim(),
        })),
      }));
  });
  return violations.map((v) => {
    const nodes = v.nodes
      .slice(0, 5)
      .map((n) => `      at ${n.target}\n         ${n.html}\n         ${n.summary}`)
      .join("\n");
    const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : "";
    return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s); ${v.helpUrl})\n${nodes}${more}`;
  });
}

/// The colour scheme the page shows: data-theme on <html>, else the media preference.
const themeOf = (page) =>
  page.evaluate(() => ({
    attr: document.documentElement.dataset.theme ?? null,
    effective:
      document.documentElement.dataset.theme ||
      (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"),
  }));

/// Clicks #theme-toggle until the page shows `want` (at most once: it must flip).
async function setTheme(page, want) {
  const before = await themeOf(page);
  if (before.effective === want) return;
  if ((await page.$("#theme-toggle")) === null) fail("no #theme-toggle button");
  await page.click("#theme-toggle");
  const after = await themeOf(page);
  if (after.attr !== want) {
    fail(`clicking #theme-toggle on ${before.effective} set data-theme=${JSON.stringify(after.attr)}, expected "${want}"`);
  }
}

async function screenshot(page, name, options = {}) {
  const path = join(shots, name);
  await page.screenshot({ path, fullPage: true, ...options });
  return path;
}

/// Where a URL sits below the prefix, or null when outside it.
function relative(url) {
  const u = new URL(url);
  if (u.origin !== origin || !u.pathname.startsWith(prefix)) return null;
  return u.pathname.slice(prefix.length);
}

const isBaselinePath = (rel) => {
  const m = rel !== null && rel.match(/^([^/]+)\/(index\.html)?$/);
  return Boolean(m) && !NOT_BASELINES.has(m[1]);
};

// ---------------------------------------------------------------------------------------

let server = null;
let browser = null;

async function main() {
  if (!existsSync(join(site, "index.html"))) fail(`${site}/index.html does not exist (build the site first)`);
  mkdirSync(shots, { recursive: true });
  server = await startStaticServer();
  origin = `http://127.0.0.1:${server.address().port}`;
  const base = `${origin}${prefix}`;
  console.log(`${NAME}: serving ${site} at ${base}; screenshots in ${shots}`);

  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  const expected404 = new Set();
  const page = await context.newPage();
  watch(page, expected404);
  const home = `${base}index.html`;

  // Home: loads, accessible, and leads to a baseline.
  let baselineUrl = null;
  if (await check("home page loads", () => open(page, home))) {
    await check("home page links to a baseline", async () => {
      const links = await page.$$eval("main a[href], a[href]", (as) => as.map((a) => a.href));
      baselineUrl = links.find((h) => isBaselinePath(relative(h))) ?? null;
      if (!baselineUrl) fail("the home page has no link to a baseline page (<slug>/index.html)");
      return relative(baselineUrl);
    });
    await check("axe: home (light)", async () => {
      const v = await axeViolations(page);
      if (v.length) fail(`${v.length} serious/critical violation(s):\n${v.join("\n")}`);
    });
    await screenshot(page, "home-light.png");
  }

  // Dark toggle: flips both ways and survives a reload.
  const themeOk = await check("theme toggle flips data-theme and persists", async () => {
    await open(page, home);
    if ((await page.$("#theme-toggle")) === null) fail("no #theme-toggle on the home page");
    const start = (await themeOf(page)).effective;
    const other = start === "dark" ? "light" : "dark";
    await page.click("#theme-toggle");
    let now = await themeOf(page);
    if (now.attr !== other) fail(`first click: data-theme=${JSON.stringify(now.attr)}, expected "${other}"`);
    await page.click("#theme-toggle");
    now = await themeOf(page);
    if (now.attr !== start) fail(`second click: data-theme=${JSON.stringify(now.attr)}, expected "${start}"`);
    await page.click("#theme-toggle");
    await page.reload({ waitUntil: "load" });
    now = await themeOf(page);
    if (now.attr !== other) {
      fail(`after a reload data-theme=${JSON.stringify(now.attr)}, expected the saved "${other}" (localStorage)`);
    }
    return `${start} -> ${other} -> ${start} -> ${other}, kept after reload`;
  });
  if (themeOk) {
    await setTheme(page, "dark");
    await check("axe: home (dark)", async () => {
      const v = await axeViolations(page);
      if (v.length) fail(`${v.length} serious/critical violation(s):\n${v.join("\n")}`);
    });
    await screenshot(page, "home-dark.png");
    await setTheme(page, "light");
  } else {
    skip("axe: home (dark)", "the theme toggle does not work");
  }

  // Search.
  await check("search: `/` focuses #search, results for NS-2 and Customer Lockbox, keyboard selection", async () => {
    await open(page, home);
    if ((await page.$("#search")) === null) fail("no #search input on the home page");
    if ((await page.$("#search-results")) === null) fail("no #search-results on the home page");
    await page.keyboard.press("/");
    const focused = await page.evaluate(() => ({
      id: document.activeElement && document.activeElement.id,
      tag: document.activeElement && document.activeElement.tagName,
      type: document.activeElement && document.activeElement.getAttribute("type"),
      value: document.activeElement && document.activeElement.value,
    }));
    if (focused.id !== "search") fail(`after pressing \`/\` the focus is on <${focused.tag} id=${focused.id}>, not #search`);
    if (focused.tag !== "INPUT" || focused.type !== "search") fail(`#search is <${focused.tag} type=${focused.type}>, not <input type="search">`);
    if (focused.value) fail(`pressing \`/\` typed ${JSON.stringify(focused.value)} into #search (the shortcut should preventDefault)`);

    const options = () =>
      page.$$eval("#search-results [role=option]", (els) =>
        els.map((el) => ({
          tag: el.tagName,
          text: el.textContent.replace(/\s+/g, " ").trim(),
          href: el.href || null,
          selected: el.getAttribute("aria-selected") === "true",
        })),
      );
    const expectResult = async (query) => {
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.type(query, { delay: 15 });
      const found = await waitUntil(`a #search-results [role=option] containing ${JSON.stringify(query)}`, 5000, async () => {
        const list = await options();
        return list.some((o) => o.text.includes(query)) ? list : null;
      });
      const bad = found.filter((o) => o.tag !== "A" || !o.href);
      if (bad.length) fail(`results must be <a href role="option">; found ${bad.map((o) => `<${o.tag.toLowerCase()}>`).join(", ")}`);
      return found;
    };
    await expectResult("NS-2");
    const list = await expectResult("Customer Lockbox");

    const selectedIndex = async () => (await options()).findIndex((o) => o.selected);
    await page.keyboard.press("ArrowDown");
    let index = await selectedIndex();
    if (index < 0) fail('ArrowDown selected no result (no aria-selected="true")');
    if (list.length > 1 && index < list.length - 1) {
      await page.keyboard.press("ArrowDown");
      const down = await selectedIndex();
      if (down !== index + 1) fail(`a second ArrowDown moved aria-selected from result ${index} to ${down}, expected ${index + 1}`);
      await page.keyboard.press("ArrowUp");
      const up = await selectedIndex();
      if (up !== index) fail(`ArrowUp moved aria-selected from result ${down} to ${up}, expected ${index}`);
    }
    if ((await page.evaluate(() => document.activeElement && document.activeElement.id)) !== "search") {
      fail("the arrow keys moved the focus out of #search");
    }
    const chosen = (await options())[index];
    await Promise.all([page.waitForURL((u) => u.href !== home, { timeout: 5000 }), page.keyboard.press("Enter")]).catch(
      (e) => fail(`Enter on the selected result did not navigate: ${e.message.split("\n")[0]}`),
    );
    await page.waitForLoadState("load");
    const landed = page.url();
    const rel = relative(landed);
    if (rel === null) fail(`Enter led to ${landed}, outside ${prefix}`);
    const wanted = new URL(chosen.href);
    const got = new URL(landed);
    if (got.pathname !== wanted.pathname) fail(`Enter led to ${landed}, not the selected result ${chosen.href}`);
    if (!isBaselinePath(rel.replace(/[?#].*$/, ""))) fail(`Enter led to ${landed}, which is not a baseline page`);
    const status = (await fetch(landed, { method: "HEAD" })).status;
    if (status !== 200) fail(`the result ${landed} answers ${status}`);
    await collectLinks(page);
    return `${list.length} result(s) for "Customer Lockbox"; Enter opened ${rel}`;
  });

  // The first baseline page, light, dark, print, PDF, and at 375 px.
  if (baselineUrl) {
    const loaded = await check("baseline page loads", async () => {
      await open(page, baselineUrl);
      await setTheme(page, "light").catch(() => {});
      await screenshot(page, "baseline-light.png");
      return relative(baselineUrl);
    });
    if (loaded) {
      await check("axe: baseline (light)", async () => {
        const v = await axeViolations(page);
        if (v.length) fail(`${v.length} serious/critical violation(s):\n${v.join("\n")}`);
      });
      await check("baseline print media: screenshot and PDF", async () => {
        await page.emulateMedia({ media: "print" });
        try {
          await screenshot(page, "baseline-print.png");
          await page.pdf({ path: join(shots, "baseline.pdf"), format: "A4", printBackground: true });
        } finally {
          await page.emulateMedia({ media: null });
        }
        const size = statSync(join(shots, "baseline.pdf")).size;
        if (size < 1000) fail(`baseline.pdf is only ${size} bytes`);
        return `baseline-print.png, baseline.pdf (${Math.round(size / 1024)} KiB)`;
      });
      if (themeOk) {
        await setTheme(page, "dark");
        await check("axe: baseline (dark)", async () => {
          const v = await axeViolations(page);
          if (v.length) fail(`${v.length} serious/critical violation(s):\n${v.join("\n")}`);
        });
        await screenshot(page, "baseline-dark.png");
        await setTheme(page, "light");
      } else {
        skip("axe: baseline (dark)", "the theme toggle does not work");
      }
      await check("baseline at 375 px wide", async () => {
        const narrow = await browser.newContext({ viewport: { width: 375, height: 812 }, colorScheme: "light" });
        try {
          const small = await narrow.newPage();
          watch(small, expected404);
          await open(small, baselineUrl);
          await screenshot(small, "baseline-375.png");
          const width = await small.evaluate(() => document.documentElement.scrollWidth);
          // Reported, not failed: wide tables may scroll inside their own box.
          return width > 375 ? `warning: the page is ${width} px wide, it scrolls sideways` : "no sideways scrolling";
        } finally {
          await narrow.close();
        }
      });
    }
  } else {
    skip("baseline page", "no baseline link on the home page");
  }

  // Matrix and controls.
  for (const name of ["matrix", "controls"]) {
    const url = `${base}${name}/index.html`;
    const loaded = await check(`${name} page loads`, async () => {
      await open(page, url);
      await setTheme(page, "light").catch(() => {});
      await screenshot(page, `${name}.png`);
      return `${name}/index.html`;
    });
    if (!loaded) {
      skip(`axe: ${name}`, `${name}/index.html did not load`);
      continue;
    }
    await check(`axe: ${name} (light)`, async () => {
      const v = await axeViolations(page);
      if (v.length) fail(`${v.length} serious/critical violation(s):\n${v.join("\n")}`);
    });
    if (themeOk) {
      await setTheme(page, "dark");
      await check(`axe: ${name} (dark)`, async () => {
        const v = await axeViolations(page);
        if (v.length) fail(`${v.length} serious/critical violation(s):\n${v.join("\n")}`);
      });
      await setTheme(page, "light");
    }
  }

  // A missing page: 404 with the site's 404.html, whose own links must work here too.
  await check("a missing page answers 404 with the site's 404 page", async () => {
    const url = `${base}no/such/page/`;
    expected404.add(url);
    await open(page, url, 404);
    return (await page.title()) || "(no title)";
  });

  // Every same-origin link on the visited pages.
  await check("same-origin links answer 200", async () => {
    const broken = [];
    const entries = [...linkSources];
    for (let i = 0; i < entries.length; i += 8) {
      await Promise.all(
        entries.slice(i, i + 8).map(async ([url, from]) => {
          let status;
          try {
            status = (await fetch(url, { method: "HEAD" })).status;
            if (status === 405 || status === 501) status = (await fetch(url)).status;
          } catch (e) {
            status = e.message;
          }
          if (status !== 200) broken.push(`  ${status} ${url} (linked from ${from})`);
        }),
      );
    }
    if (broken.length) fail(`${broken.length} of ${entries.length} broken:\n${broken.sort().join("\n")}`);
    return `${entries.length} URL(s)`;
  });

  await check("no console errors, page errors or dialogs", async () => {
    const unique = [...new Set(problems)];
    if (unique.length) fail(`${unique.length}:\n  ${unique.join("\n  ")}`);
  });

  await context.close();
}

await runMain(
  NAME,
  async () => {
    try {
      await main();
    } finally {
      const failed = results.filter((r) => r.status === "fail");
      const skipped = results.filter((r) => r.status === "skip");
      console.log(`\n${NAME}: summary for ${site} under ${prefix}`);
      for (const r of results) {
        const head = r.detail.split("\n")[0];
        console.log(`  ${r.status.toUpperCase().padEnd(4)}  ${r.name}${head ? ` — ${head}` : ""}`);
      }
      console.log(
        `${NAME}: ${results.length - failed.length - skipped.length} passed, ${failed.length} failed, ${skipped.length} skipped`,
      );
      if (failed.length) {
        fail(`${failed.length} check(s) failed: ${failed.map((r) => r.name).join("; ")}`);
      }
    }
  },
  async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) server.close();
  },
);
