// The browser test of nodetool's built-in web page: the real binary, headless
// Chromium (Debian's chromium package) driven by puppeteer-core, axe-core on
// every page. It fails on any console error, failed request or CSP violation.
//
//   cd testdata/uitest && npm ci && node ui.mjs [--bin PATH] [--docs DIR]
//
// Without --bin it builds the binary from the repository (go build). With
// --docs it copies three screenshots there (for the README). It prints the
// screenshots' folder and three figures: DOMContentLoaded of a first
// load (a new tab with an empty cache, median of three) and of a reload,
// the time to draw a 200-node graph, and the longest task while a
// run streams 1,000 items. Timings are printed, never asserted.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, copyFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import puppeteer from "puppeteer-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : ""; };
const chromePath = process.env.CHROMIUM || "/usr/bin/chromium";
const tmp = mkdtempSync(join(tmpdir(), "nodetool-uitest-"));
const shots = join(tmp, "screenshots");
mkdirSync(shots);
const TIMEOUT = 30000;

const problems = [];
const figures = {};
const procs = [];
let step = "start";

function fail(msg) { problems.push(`[${step}] ${msg}`); }

function log(msg) { console.log(`uitest: ${msg}`); }

// startBinary runs nodetool with args and resolves to its base URL once it
// prints "listening on".
function startBinary(bin, argv, env) {
  return new Promise((res, rej) => {
    const p = spawn(bin, argv, { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    procs.push(p);
    let out = "";
    const t = setTimeout(() => rej(new Error(`${argv[0]} did not start:\n${out}`)), TIMEOUT);
    const read = (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(t); res(m[1]); }
    };
    p.stdout.on("data", read);
    p.stderr.on("data", (d) => { if (process.env.UITEST_VERBOSE) process.stderr.write(d); });
    p.on("exit", (code) => { clearTimeout(t); rej(new Error(`${argv[0]} exited ${code}:\n${out}`)); });
  });
}

// slowServer answers GET /slow only when release() is called: the slow
// workflow's node waits on it, so a reload mid-run needs no timing.
function slowServer() {
  let waiting = [];
  let hits = 0;
  let hit = () => {};
  const srv = createServer((req, res) => {
    hits++;
    hit();
    waiting.push(res);
  });
  return new Promise((ok) => srv.listen(0, "127.0.0.1", () => ok({
    url: `http://127.0.0.1:${srv.address().port}/slow`,
    hit: () => new Promise((r) => { if (hits) r(); else hit = r; }),
    release: () => { for (const r of waiting) r.end("SLOW DONE"); waiting = []; },
    close: () => srv.close(),
  })));
}

// png makes a small valid PNG (a 160x96 gradient) without any library.
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const w = 160, hgt = 96;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(hgt, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = [];
  for (let y = 0; y < hgt; y++) { raw.push(0); for (let x = 0; x < w; x++) raw.push(Math.round(x * 255 / w), Math.round(y * 255 / hgt), 200); }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.from(raw))), chunk("IEND", Buffer.alloc(0))]);
}

async function api(base, method, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const pos = (x, y) => ({ position: { x, y } });

function workflow(name, nodes, edges) {
  return { name, description: "made by the browser test", access: "private", tags: ["uitest"], graph: { nodes, edges } };
}

// The 200-node graph: 20 chains of input → 8 text nodes → output, in a grid.
function bigGraph() {
  const nodes = [], edges = [];
  for (let c = 0; c < 20; c++) {
    let prev = `in${c}`;
    nodes.push({ id: prev, type: "nodetool.input.StringInput", data: { name: `text${c}`, value: "x" }, ui_properties: pos(0, c * 120) });
    for (let i = 0; i < 8; i++) {
      const id = `n${c}_${i}`;
      nodes.push({ id, type: i % 2 ? "nodetool.text.ToLowercase" : "nodetool.text.ToUppercase", data: {}, ui_properties: pos((i + 1) * 260, c * 120) });
      edges.push({ id: `e${c}_${i}`, source: prev, sourceHandle: "output", target: id, targetHandle: "text" });
      prev = id;
    }
    nodes.push({ id: `out${c}`, type: "nodetool.output.Output", data: { name: `out${c}` }, ui_properties: pos(9 * 260, c * 120) });
    edges.push({ id: `eo${c}`, source: prev, sourceHandle: "output", target: `out${c}`, targetHandle: "value" });
  }
  return { nodes, edges };
}

// watch records console errors, failed requests and CSP violations;
// allowed(url, status) says which error answers a step expects.
function watch(page, allowed) {
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const loc = m.location()?.url || "";
    if (/status of 401/.test(m.text()) && allowed.some((a) => a(loc, 401))) return;
    fail(`console error: ${m.text()} ${loc}`);
  });
  page.on("pageerror", (e) => fail(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    const why = r.failure()?.errorText || "";
    // A reload aborts what the old page had in flight; that is the test's doing.
    if (why === "net::ERR_ABORTED" && (page.__reloading || r.url().endsWith("/predict"))) return;
    fail(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !allowed.some((a) => a(r.url(), r.status()))) fail(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
  });
}

// The page reports CSP violations and long tasks into window globals.
const PROBE = () => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  window.__longtasks = [];
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: "longtask", buffered: true });
  } catch { /* no longtask support */ }
};

async function checkCSP(page) {
  const v = await page.evaluate(() => window.__csp || []);
  for (const x of v) fail(`CSP violation: ${x}`);
}

const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");

async function axe(page, name) {
  await page.evaluate(axeSource); // through DevTools: not subject to the page's CSP
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ["violations"] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  for (const v of r) {
    const line = `axe ${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(", ")}`;
    if (v.impact === "serious" || v.impact === "critical") fail(line); else log(line);
  }
}

let shotN = 0;
async function shot(page, name) {
  const file = join(shots, `${String(++shotN).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

// fieldByLabel returns the control whose <label> text is exactly text.
async function fieldByLabel(page, text) {
  const id = await page.waitForFunction((t) => [...document.querySelectorAll("label")].find((l) => l.textContent.trim() === t)?.htmlFor, { timeout: TIMEOUT }, text);
  return page.$("#" + (await id.jsonValue()));
}

async function clickButton(page, name) {
  const b = await page.waitForSelector(`::-p-aria([name="${name}"][role="button"])`, { timeout: TIMEOUT });
  await b.click();
}

const waitText = (page, sel, text) => page.waitForFunction((s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)), { timeout: TIMEOUT }, sel, text);

// openPage goes to a page of the app and waits for its heading (a hash
// change swaps the page in place: the old page's buttons must not be used).
async function openPage(page, url, heading) {
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction((t) => document.querySelector("main h1")?.textContent === t, { timeout: TIMEOUT }, heading);
}

async function allNodes(page, state) {
  await page.waitForFunction((st) => {
    const n = [...document.querySelectorAll("svg.graph .node")];
    return n.length > 0 && n.every((g) => g.getAttribute("data-state") === st);
  }, { timeout: TIMEOUT }, state);
}

async function main() {
  let bin = opt("--bin");
  if (!bin) {
    bin = join(tmp, "nodetool");
    log("building the binary");
    execFileSync("go", ["build", "-o", bin, "."], { cwd: repo, stdio: "inherit" });
  }
  const slow = await slowServer();
  const home = join(tmp, "home");
  const base = await startBinary(bin, ["serve", "--host", "127.0.0.1", "--port", "0", "--provider", "fake", "--allow-net", "127.0.0.1"],
    { HOME: home, NODETOOL_DATA_DIR: join(tmp, "serve-data"), NODETOOL_CONFIG_DIR: join(tmp, "config") });
  log(`serve at ${base}`);

  const slowWf = await api(base, "POST", "/api/workflows", workflow("Slow fetch", [
    { id: "url", type: "nodetool.input.StringInput", data: { name: "url", value: slow.url }, ui_properties: pos(0, 0) },
    { id: "get", type: "lib.http.GetRequest", data: {}, ui_properties: pos(300, 0) },
    { id: "out", type: "nodetool.output.Output", data: { name: "body" }, ui_properties: pos(600, 0) },
  ], [
    { id: "e1", source: "url", sourceHandle: "output", target: "get", targetHandle: "url" },
    { id: "e2", source: "get", sourceHandle: "output", target: "out", targetHandle: "value" },
  ]));
  const seqWf = await api(base, "POST", "/api/workflows", workflow("Thousand items", [
    { id: "seq", type: "nodetool.list.GenerateSequence", data: { start: 0, stop: 1000, step: 1 }, ui_properties: pos(0, 0) },
    { id: "out", type: "nodetool.output.Output", data: { name: "items" }, ui_properties: pos(300, 0) },
  ], [{ id: "e", source: "seq", sourceHandle: "output", target: "out", targetHandle: "value" }]));
  const bigWf = await api(base, "POST", "/api/workflows", workflow("Two hundred nodes", bigGraph().nodes, bigGraph().edges));

  const chromeArgs = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
  const browser = await puppeteer.launch({
    executablePath: chromePath, headless: true, args: [...chromeArgs, `--user-data-dir=${join(tmp, "chrome")}`],
  });
  try {
    // First loads: the page opened in a new tab with an empty cache, in a
    // browser that is running and idle (as a user's is; a browser's own
    // start-up work would otherwise compete on the machine's cores), three
    // times; the median is printed.
    step = "first load";
    const idle = await browser.newPage();
    await idle.goto("about:blank");
    await new Promise((r) => setTimeout(r, 1000)); // let the browser's start-up work finish
    const firsts = [];
    for (let i = 0; i < 3; i++) {
      const p = await browser.newPage();
      watch(p, []);
      await (await p.createCDPSession()).send("Network.clearBrowserCache");
      await p.goto(base + "/", { waitUntil: "load" });
      firsts.push(await p.evaluate(() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd));
      await p.waitForSelector('a[href="#/x/uppercase"]', { timeout: TIMEOUT });
      p.__reloading = true; // closing aborts the background load of the workflow page
      await p.close();
    }
    await idle.close();
    figures.firstLoads = firsts;
    figures.domContentLoadedFirst = [...firsts].sort((a, b) => a - b)[1];

    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 860 });
    const allowed = [];
    watch(page, allowed);
    await page.evaluateOnNewDocument(PROBE);

    step = "workflows";
    await page.goto(base + "/", { waitUntil: "load" });
    await page.waitForSelector('a[href="#/x/uppercase"]', { timeout: TIMEOUT });
    page.__reloading = true; // the workflow page may still be loading in the background
    await page.reload({ waitUntil: "load" }); // with the assets cached (immutable) and index.html revalidated
    page.__reloading = false;
    figures.domContentLoadedWarm = await page.evaluate(() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd);
    await page.waitForSelector('a[href="#/x/uppercase"]', { timeout: TIMEOUT });
    for (const name of ["Uppercase", "Word Shout", "Grade", "Slow fetch"]) await waitText(page, ".card a", name);
    const search = await fieldByLabel(page, "Search workflows");
    await search.type("shout");
    await page.waitForFunction(() => document.querySelectorAll(".card").length === 1, { timeout: TIMEOUT });
    await search.click({ count: 3 });
    await page.keyboard.press("Backspace");
    await axe(page, "workflows");
    await shot(page, "workflows");

    step = "run uppercase";
    await page.click('a[href="#/x/uppercase"]');
    await page.waitForFunction(() => document.querySelector("main h1")?.textContent === "Uppercase", { timeout: TIMEOUT });
    const text = await fieldByLabel(page, "text");
    await text.click({ count: 3 });
    await page.keyboard.press("Backspace");
    await text.type("hello");
    await clickButton(page, "Run");
    await waitText(page, ".results", "HELLO");
    await allNodes(page, "completed");
    await waitText(page, ".status", "Completed");
    await axe(page, "workflow");
    const runShot = await shot(page, "run");

    step = "reconnect";
    await openPage(page, base + "/#/w/" + slowWf.id, "Slow fetch");
    await clickButton(page, "Run");
    await slow.hit(); // the fetch node runs and waits on the slow server
    await page.waitForSelector('svg.graph .node[data-node="get"][data-state="running"]', { timeout: TIMEOUT });
    page.__reloading = true;
    await page.reload({ waitUntil: "load" });
    page.__reloading = false;
    await waitText(page, ".log", "reconnecting to");
    await page.waitForSelector('svg.graph .node[data-node="get"][data-state="running"]', { timeout: TIMEOUT });
    await shot(page, "reconnected");
    slow.release();
    await waitText(page, ".results", "SLOW DONE");
    await allNodes(page, "completed");

    step = "jobs";
    await openPage(page, base + "/#/jobs", "Jobs");
    await waitText(page, "table", "completed");
    await axe(page, "jobs");
    await shot(page, "jobs");

    step = "assets";
    await openPage(page, base + "/#/assets", "Assets");
    await page.waitForSelector(".drop", { timeout: TIMEOUT });
    // Drag and drop: a File in a DataTransfer, dropped on the drop zone.
    const b64 = png().toString("base64");
    await page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "gradient.png", { type: "image/png" }));
      const zone = document.querySelector(".drop");
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, b64);
    const file = await page.waitForSelector("::-p-aria([name=\"gradient.png\"][role=\"button\"])", { timeout: TIMEOUT });
    await file.click();
    await page.waitForFunction(() => { const i = document.querySelector(".preview img"); return i && i.complete && i.naturalWidth === 160; }, { timeout: TIMEOUT });
    await axe(page, "assets");
    const assetShot = await shot(page, "assets");

    step = "chat";
    await openPage(page, base + "/#/chat", "Chat");
    await page.waitForFunction(() => document.querySelector("#chat-model")?.options.length > 0, { timeout: TIMEOUT });
    const box = await fieldByLabel(page, "Message");
    await box.type("echo these words back");
    await clickButton(page, "Send");
    await page.waitForFunction(() => {
      const m = [...document.querySelectorAll('.msg[data-role="assistant"]')].pop();
      return m && !m.hasAttribute("aria-busy") && m.textContent.includes("echo these words back");
    }, { timeout: TIMEOUT });
    await axe(page, "chat");
    const chatShot = await shot(page, "chat");

    step = "200-node graph";
    await openPage(page, base + "/#/", "Workflows");
    await page.waitForSelector(`a[href="#/w/${bigWf.id}"]`, { timeout: TIMEOUT });
    const t0 = await page.evaluate(() => performance.now());
    await page.click(`a[href="#/w/${bigWf.id}"]`);
    await page.waitForFunction(() => document.querySelectorAll("svg.graph .node").length === 200, { timeout: TIMEOUT });
    const t1 = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))));
    figures.graph200ClickToPaint = t1 - t0;
    figures.graph200Draw = Number(await page.$eval("svg.graph", (s) => s.getAttribute("data-draw-ms")));
    await shot(page, "graph-200");

    step = "1,000 streamed items";
    await openPage(page, base + "/#/w/" + seqWf.id, "Thousand items");
    // The longest gap between two frames, beside the long tasks.
    const runStart = await page.evaluate(() => {
      window.__maxGap = 0;
      let last = performance.now();
      const tick = (t) => { window.__maxGap = Math.max(window.__maxGap, t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      return performance.now();
    });
    await clickButton(page, "Run");
    await waitText(page, ".status", "Completed");
    await page.waitForFunction(() => document.querySelector('[data-output="items"] .muted')?.textContent.includes("900 more"), { timeout: TIMEOUT });
    const tasks = await page.evaluate((s) => window.__longtasks.filter((t) => t.start >= s), runStart);
    figures.longestTaskDuringStream = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
    figures.longTasksOver50ms = tasks.length;
    figures.longestFrameGapDuringStream = await page.evaluate(() => { window.__stopFrames = true; return window.__maxGap; });
    await checkCSP(page);
    await page.close();

    step = "worker";
    const wtoken = "uitest-worker-token-0123456789";
    const wbase = await startBinary(bin, ["worker", "--host", "127.0.0.1", "--port", "0", "--ui", "--provider", "fake"],
      { HOME: home, NODETOOL_DATA_DIR: join(tmp, "worker-data"), NODETOOL_CONFIG_DIR: join(tmp, "config"), WORKER_AUTH_TOKEN: wtoken });
    log(`worker at ${wbase}`);
    const wp = await browser.newPage();
    await wp.setViewport({ width: 360, height: 740 }); // the narrowest phone width the page supports
    await wp.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]); // axe checks the dark theme's contrast
    // The wrong token is refused with 401: the one answer this step expects.
    let expect401 = true;
    const wallowed = [(url, status) => expect401 && status === 401 && url.startsWith(wbase + "/workflows")];
    watch(wp, wallowed);
    await wp.evaluateOnNewDocument(PROBE);
    await wp.goto(wbase + "/ui/", { waitUntil: "load" });
    const tok = await fieldByLabel(wp, "Token");
    await tok.type("not-the-token");
    await clickButton(wp, "Continue");
    await waitText(wp, ".error", "refused");
    if (await wp.$("svg.graph, .cards")) fail("the worker page showed workflows without a token");
    await axe(wp, "worker token");
    await shot(wp, "worker-refused");
    await tok.click({ count: 3 });
    await wp.keyboard.press("Backspace");
    await tok.type(wtoken);
    await clickButton(wp, "Continue");
    await wp.waitForSelector('a[href="#/w/uppercase"]', { timeout: TIMEOUT });
    expect401 = false;
    if ((await wp.evaluate(() => location.href)).includes(wtoken)) fail("the token is in the URL");
    await wp.click('a[href="#/w/uppercase"]');
    await wp.waitForFunction(() => document.querySelector("main h1")?.textContent === "Uppercase", { timeout: TIMEOUT });
    const wtext = await fieldByLabel(wp, "text");
    await wtext.click({ count: 3 });
    await wp.keyboard.press("Backspace");
    await wtext.type("hello");
    await clickButton(wp, "Run");
    await waitText(wp, ".results", "HELLO");
    await allNodes(wp, "completed");
    await axe(wp, "worker run");
    await shot(wp, "worker-run");
    await checkCSP(wp);

    step = "serve with enforced auth";
    const stoken = "uitest-serve-token-0123456789";
    const sbase = await startBinary(bin, ["serve", "--host", "127.0.0.1", "--port", "0", "--auth-provider", "static"],
      { HOME: home, NODETOOL_DATA_DIR: join(tmp, "serve-auth-data"), NODETOOL_CONFIG_DIR: join(tmp, "config-auth"), WORKER_AUTH_TOKEN: stoken });
    const shout = await api(sbase, "POST", "/api/workflows", workflow("Shout", [
      { id: "text", type: "nodetool.input.StringInput", data: { name: "text", value: "" }, ui_properties: pos(0, 0) },
      { id: "up", type: "nodetool.text.ToUppercase", data: {}, ui_properties: pos(300, 0) },
      { id: "out", type: "nodetool.output.Output", data: { name: "result" }, ui_properties: pos(600, 0) },
    ], [
      { id: "e1", source: "text", sourceHandle: "output", target: "up", targetHandle: "text" },
      { id: "e2", source: "up", sourceHandle: "output", target: "out", targetHandle: "value" },
    ]), stoken);
    const ap = await browser.newPage();
    let authExpect401 = true;
    watch(ap, [(url, status) => authExpect401 && status === 401 && url.startsWith(sbase + "/api/")]);
    await ap.evaluateOnNewDocument(PROBE);
    await ap.goto(sbase + "/", { waitUntil: "load" });
    const stok = await fieldByLabel(ap, "Token");
    await stok.type(stoken);
    await clickButton(ap, "Continue");
    await ap.waitForSelector(`a[href="#/w/${shout.id}"]`, { timeout: TIMEOUT });
    authExpect401 = false;
    await ap.click(`a[href="#/w/${shout.id}"]`);
    await ap.waitForFunction(() => document.querySelector("main h1")?.textContent === "Shout", { timeout: TIMEOUT });
    await (await fieldByLabel(ap, "text")).type("hello");
    await clickButton(ap, "Run");
    await waitText(ap, ".results", "HELLO");
    await allNodes(ap, "completed");
    await checkCSP(ap);

    const docs = opt("--docs");
    if (docs) {
      mkdirSync(docs, { recursive: true });
      copyFileSync(runShot, join(docs, "ui-run.png"));
      copyFileSync(assetShot, join(docs, "ui-assets.png"));
      copyFileSync(chatShot, join(docs, "ui-chat.png"));
      log(`copied three screenshots to ${docs}`);
    }
  } finally {
    await browser.close();
    slow.close();
  }
}

let code = 0;
try {
  await main();
} catch (err) {
  fail(err.stack || String(err));
} finally {
  for (const p of procs) p.kill("SIGTERM");
}
log(`screenshots in ${shots}`);
const f = (n) => (typeof n === "number" ? n.toFixed(1) + " ms" : "n/a");
console.log(`figure: DOMContentLoaded ${f(figures.domContentLoadedFirst)} on a first load (new tab, empty cache; median of ${(figures.firstLoads || []).map(f).join(", ")}), ${f(figures.domContentLoadedWarm)} on a reload`);
console.log(`figure: 200-node graph drawn in ${f(figures.graph200Draw)} (click to painted: ${f(figures.graph200ClickToPaint)})`);
console.log(`figure: while 1,000 items streamed: ${figures.longTasksOver50ms ?? "n/a"} long tasks (over 50 ms), the longest ${f(figures.longestTaskDuringStream)}; longest gap between frames ${f(figures.longestFrameGapDuringStream)}`);
writeFileSync(join(tmp, "figures.json"), JSON.stringify(figures, null, 2));
if (problems.length) {
  code = 1;
  console.error(`uitest: FAIL, ${problems.length} problems:`);
  for (const p of problems) console.error("  " + p);
} else {
  log("PASS");
}
process.exit(code);
