// HTML validity of a built site: the Nu Html Checker (vnu.jar, from the vnu-jar package)
// over every .html file below SITEDIR, errors only.
//
// Usage: node vnu.mjs SITEDIR
// Prints each error as `file:line:col: message` and exits 1 when there is any; needs java
// ($JAVA or `java` on PATH).

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const [siteArg] = process.argv.slice(2);
if (!siteArg) {
  console.error("usage: node vnu.mjs SITEDIR");
  process.exit(2);
}
const site = resolve(siteArg);
const jar = String(createRequire(import.meta.url)("vnu-jar")); // the path of vnu.jar

function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return htmlFiles(path);
    return e.isFile() && e.name.endsWith(".html") ? [path] : [];
  });
}

let files;
try {
  files = htmlFiles(site).sort();
} catch (e) {
  console.error(`vnu: cannot read ${site}: ${e.message}`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`vnu: no .html file below ${site}`);
  process.exit(1);
}

const java = process.env.JAVA || "java";
const run = spawnSync(java, ["-jar", jar, "--errors-only", "--format", "json", "--stdout", ...files], {
  encoding: "utf8",
  maxBuffer: 256 * 1024 * 1024,
});
if (run.error) {
  console.error(`vnu: cannot run ${java}: ${run.error.message}`);
  process.exit(1);
}
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(`vnu: ${java} -jar vnu.jar exited ${run.status} without a JSON report:\n${run.stdout}${run.stderr}`);
  process.exit(1);
}

/// A path relative to the working directory when it lies below it, else absolute.
function shown(path) {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

const errors = report.messages
  .filter((m) => m.type === "error" || m.type === "non-document-error")
  .map((m) => {
    const file = m.url && m.url.startsWith("file:") ? shown(fileURLToPath(m.url)) : m.url || "?";
    const line = m.lastLine ?? m.firstLine ?? 0;
    const col = m.firstColumn ?? m.lastColumn ?? 0;
    const extract = m.extract ? `\n    ${m.extract.replace(/\s+/g, " ").trim()}` : "";
    return `${file}:${line}:${col}: ${m.message}${extract}`;
  });
for (const e of errors) console.log(e);
console.log(`vnu: ${files.length} HTML file(s) checked, ${errors.length} error(s)`);
process.exit(errors.length > 0 ? 1 : 0);
