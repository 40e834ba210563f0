/**
 * The board page in a real headless browser (Debian's chromium driven by playwright-core): a short training
 * run logs scalars, image batches, weight histograms and text; the page must chart the scalars, show the image
 * grid and change it with the step slider, draw histograms and text, show a corrupt file as a warning, follow
 * new events live, and render no tag as HTML. A screenshot is saved and checked not to be blank.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Board, startBoard } from "../src/board/server.js";
import { manualSeed, nn, optim, rand } from "../src/index.js";
import { SummaryWriter } from "../src/tensorboard/index.js";
import { decodePng } from "../src/vision/png.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`board-browser: skipped: ${CHROMIUM} not found (apt-get install chromium)`);

const SCREENSHOT = join(tmpdir(), "torch-ts-board.png");
const SCREENSHOT_IMAGES = join(tmpdir(), "torch-ts-board-images.png");
const XSS_TAG = '<img src=x onerror="window.__xss=1">&amp;';

describe.skipIf(!HAVE_CHROMIUM)("board page in chromium", () => {
  let tmp: string;
  let logdir: string;
  let board: Board;
  let context: BrowserContext;
  let page: Page;
  let writer: SummaryWriter;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "torch-ts-board-browser-"));
    logdir = join(tmp, "runs");
    // A short training run: a linear map learns to invert 8x8 images.
    manualSeed(0);
    writer = new SummaryWriter(join(logdir, "linear"));
    const model = new nn.Linear(64, 64);
    const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
    const x = rand([16, 64]);
    const target = x.neg().add(1);
    for (let step = 0; step < 20; step++) {
      opt.zeroGrad();
      const out = model(x);
      const loss = out.sub(target).pow(2).mean();
      loss.backward();
      opt.step();
      writer.addScalar("train/loss", loss.item(), step);
      writer.addScalar(XSS_TAG, step % 3, step);
      if (step === 0 || step === 10 || step === 19) writer.addImages("outputs", out.detach().clamp(0, 1).reshape([16, 1, 8, 8]), step);
      if (step % 5 === 0) writer.addHistogram("linear.weight", model.weight.detach(), step);
    }
    writer.addText("config", "lr = 0.5\nsteps = 20", 0);
    writer.flush();
    mkdirSync(join(logdir, "corrupt"));
    writeFileSync(join(logdir, "corrupt", "events.out.tfevents.0.broken"), "this is not a TFRecord stream");

    board = await startBoard({ logdir, port: 0, host: "127.0.0.1", reloadIntervalMs: 150 });
    await board.refresh();
    context = await chromium.launchPersistentContext(join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      viewport: { width: 1280, height: 860 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`console: ${m.text()}`);
    });
    page.on("dialog", (d) => {
      pageErrors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(board.url);
  }, 120_000);

  afterAll(async () => {
    writer?.close();
    await context?.close();
    await board?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("charts the scalars with one point per step and a working smoothing slider", async () => {
    const card = page.locator("section.scalar-card", { has: page.locator(".card-title .tag", { hasText: /^train\/loss$/ }) });
    const smoothed = card.locator("path.series-smoothed");
    await smoothed.waitFor();
    expect(await smoothed.getAttribute("data-points")).toBe("20");
    const d = (await smoothed.getAttribute("d"))!;
    expect(d.match(/[ML]/g)).toHaveLength(20);
    const raw = (await card.locator("path.series-raw").getAttribute("d"))!;
    // At the default smoothing (0.6) the smoothed line differs from the raw one; at 0 it is the same line.
    expect(d).not.toBe(raw);
    await page.locator("#smoothing").fill("0");
    await expect.poll(() => card.locator("path.series-smoothed").getAttribute("d")).toBe(raw);
    await page.locator("#smoothing").fill("0.6");
    await expect.poll(() => card.locator("path.series-smoothed").getAttribute("d")).toBe(d);
  });

  it("shows tag names as text, never as HTML", async () => {
    const title = page.locator(".card-title .tag", { hasText: "onerror" });
    await title.waitFor();
    expect(await title.textContent()).toBe(XSS_TAG);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it("shows the corrupt file as a warning while the good run is shown", async () => {
    const warnings = page.locator("#warnings");
    await expect.poll(() => warnings.isVisible()).toBe(true);
    expect(await warnings.textContent()).toContain("corrupt/events.out.tfevents.0.broken: corrupt record at byte 0");
    expect(await page.locator(".run-item .run-name").allTextContents()).toEqual(["corrupt", "linear"]);
  });

  it("follows new events as they are written", async () => {
    for (let step = 20; step < 25; step++) writer.addScalar("train/loss", 0.01, step);
    writer.flush();
    const smoothed = page.locator("section.scalar-card", { has: page.locator(".card-title .tag", { hasText: /^train\/loss$/ }) }).locator("path.series-smoothed");
    await expect.poll(() => smoothed.getAttribute("data-points"), { timeout: 15_000 }).toBe("25");
  });

  it("saves a screenshot that is not blank", async () => {
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = decodePng(readFileSync(SCREENSHOT));
    expect(png.width).toBeGreaterThan(600);
    let sum = 0;
    let sumSq = 0;
    const colors = new Set<number>();
    const c = png.channels;
    for (let i = 0; i < png.width * png.height; i++) {
      const g = (png.data[i * c] + png.data[i * c + 1] + png.data[i * c + 2]) / 3;
      sum += g;
      sumSq += g * g;
      colors.add((png.data[i * c] << 16) | (png.data[i * c + 1] << 8) | png.data[i * c + 2]);
    }
    const count = png.width * png.height;
    const variance = sumSq / count - (sum / count) ** 2;
    expect(variance).toBeGreaterThan(100);
    expect(colors.size).toBeGreaterThan(50);
  });

  it("shows the image grid and changes it with the step slider", async () => {
    await page.locator('.tab[data-kind="images"]').click();
    const card = page.locator("section.image-card").first();
    const img = card.locator("img.board-image");
    await expect.poll(() => img.evaluate((e: HTMLImageElement) => e.complete && e.naturalWidth)).toBe(64);
    expect(await img.evaluate((e: HTMLImageElement) => e.naturalHeight)).toBe(2 * 8);
    expect(await card.locator(".step-label").textContent()).toMatch(/^step 19 · 3\/3 · 64×16$/);
    const latest = (await img.getAttribute("src"))!;
    const slider = card.locator("input.step-slider");
    expect(await slider.getAttribute("max")).toBe("2");
    await slider.focus();
    await page.keyboard.press("Home");
    await expect.poll(() => img.getAttribute("src")).not.toBe(latest);
    const first = (await img.getAttribute("src"))!;
    await expect.poll(() => img.evaluate((e: HTMLImageElement) => e.complete && e.naturalWidth)).toBe(64);
    expect(await card.locator(".step-label").textContent()).toMatch(/^step 0 · 1\/3/);
    // The two sources are different pictures (the model learned between step 0 and step 19).
    const bytes = async (src: string) => decodePng(new Uint8Array(await (await fetch(new URL(src, board.url))).arrayBuffer())).data;
    expect(Buffer.from(await bytes(first)).equals(Buffer.from(await bytes(latest)))).toBe(false);
    await page.keyboard.press("ArrowRight");
    expect(await card.locator(".step-label").textContent()).toMatch(/^step 10 · 2\/3/);
    await page.screenshot({ path: SCREENSHOT_IMAGES });
  });

  it("draws histograms over steps and the text", async () => {
    await page.locator('.tab[data-kind="histograms"]').click();
    const ridges = page.locator("section.histogram-card svg path.ridge");
    await expect.poll(() => ridges.count()).toBe(4);
    expect(await ridges.evaluateAll((ps) => ps.map((p) => p.getAttribute("data-step")))).toEqual(["0", "5", "10", "15"]);
    await page.locator('.tab[data-kind="text"]').click();
    const body = page.locator("section.text-card pre.text-body");
    await body.waitFor();
    expect(await body.textContent()).toBe("lr = 0.5\nsteps = 20");
  });

  it("raised no page errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
