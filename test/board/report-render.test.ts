// Opens the rendered report in headless Chromium: the screenshot is not blank and the numbers in the live DOM
// match the input JSON.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderReport } from "../../tools/lib/report/render.ts";
import { fmt } from "../../tools/lib/report/format.ts";
import { readPng } from "../fixtures/png.ts";
import { fixtureRecords } from "../fixtures/report-fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "bitrl-render-"));
const page = join(dir, "index.html");
writeFileSync(page, renderReport(fixtureRecords(), { generated: "fixed" }));

function chromium(extra: string[]): string {
  const r = spawnSync(
    "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--user-data-dir=${join(dir, "profile")}`,
      "--hide-scrollbars",
      ...extra,
      `file://${page}`,
    ],
    { encoding: "utf8", timeout: 60_000, maxBuffer: 1 << 26 },
  );
  if (r.error || r.status !== 0)
    throw new Error(
      `chromium failed (${r.error?.message ?? `exit ${r.status}`}): is Debian's chromium installed? (npm test's setup installs it)`,
    );
  return r.stdout;
}

test("should render a non-blank screenshot with coloured plot marks", () => {
  const png = join(dir, "shot.png");
  chromium(["--window-size=1100,2000", `--screenshot=${png}`]);
  const img = readPng(readFileSync(png));
  assert.is(img.width, 1100);
  let dark = 0,
    coloured = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const [r, g, b] = img.rgba.subarray(i * 4, i * 4 + 3);
    if (r + g + b < 200) dark++; // text
    if (b > 150 && r < 80 && g > 90 && g < 150) coloured++; // the first series colour, #1f77b4
  }
  assert.ok(dark > 2000, `text pixels: ${dark}`);
  assert.ok(coloured > 500, `plot pixels in the first series colour: ${coloured}`);
});

test("should show the input's numbers in the DOM tables", () => {
  const dom = chromium(["--dump-dom"]);
  const cells = [...dom.matchAll(/<td class="n" data-value="([^"]+)">([^<]*)<\/td>/g)].map((m) => ({
    value: JSON.parse(m[1].replace(/&quot;/g, '"')) as number,
    text: m[2],
  }));
  assert.ok(cells.length > 20, `numeric cells: ${cells.length}`);
  for (const c of cells) assert.is(c.text, fmt(c.value), "cell text is the formatted value");
  const values = new Set(cells.map((c) => c.value));
  const recs = fixtureRecords();
  for (const r of recs.filter((r) => r.kind === "bench")) assert.ok(values.has(r.value as number), `bench ${r.name}`);
  const run = recs.find((r) => r.kind === "run")!;
  for (const k of ["meanReturn", "decisionsPerSecond", "instructionsPerDecision"])
    assert.ok(values.has(run[k] as number), k);
  const energy = recs.find((r) => r.kind === "energy")!.figures as { joulesPerDecision: number }[];
  for (const f of energy) assert.ok(values.has(f.joulesPerDecision * 1e6), "energy uJ/decision");
  // final return of fp32: mean over seeds of each seed's last-10-episode mean, recomputed here from the JSON
  const fp32 = recs
    .filter((r) => r.kind === "train" && r.agent === "fp32")
    .map((r) => (r.returns as number[]).slice(-10));
  const expected = fp32.map((c) => c.reduce((a, b) => a + b, 0) / c.length).reduce((a, b) => a + b, 0) / fp32.length;
  assert.ok(values.has(expected), `fp32 final return ${expected}`);
  const staged = recs.find((r) => r.kind === "decision-stages")!.rows as {
    emulated: Record<string, { decision: number }>;
  }[];
  assert.ok(values.has(staged[0].emulated["qemu-m4/aot"].decision), "decision by stage: the decision");
  const mem = recs.find((r) => r.kind === "memory")!;
  assert.ok(values.has((mem.fp32Bytes as number) / (mem.modelBytes as number)), "compression ratio");
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
