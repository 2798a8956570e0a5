import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../testing/run-cli.js";

const GENERATE = fileURLToPath(new URL("../../bench/generate.mjs", import.meta.url));
const SCREENSHOT_DIR = fileURLToPath(new URL("../../../../.cache/cli", import.meta.url));
const chromium = ["chromium", "chromium-browser"].find((bin) => spawnSync(bin, ["--version"]).status === 0);
if (chromium === undefined) {
  console.warn(
    "skipping the headless-browser test: no chromium on PATH (packages/cli/scripts/ensure-chromium.sh)",
  );
}

// Measures what the browser laid out: every SVG's size and its marks, written into the DOM for --dump-dom.
const PROBE = `<script>document.body.insertAdjacentHTML("beforeend", "<pre id=probe>" + JSON.stringify(
  [...document.querySelectorAll("svg")].map((s) => { const b = s.getBoundingClientRect();
    return { label: s.getAttribute("aria-label"), width: b.width, height: b.height,
      marks: [...s.querySelectorAll("rect,path,circle")].filter((m) => { const r = m.getBoundingClientRect(); return r.width > 0 || r.height > 0; }).length }; })
) + "</pre>");</script>`;

describe("mlobs report --html", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlobs-cli-html-"));
  const logs = join(dir, "predictions.jsonl");
  const page = join(dir, "report.html");

  it("writes one self-contained page: nothing fetched, no script", async () => {
    expect(spawnSync(process.execPath, [GENERATE, logs, "4000"]).status).toBe(0);
    const run = await runCli(["report", "--html", page, logs]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const html = readFileSync(page, "utf8");
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    // The only URL is the SVG namespace, which is a name, not a fetch.
    expect(html.match(/https?:\/\/[^"]+/g)?.every((u) => u === "http://www.w3.org/2000/svg")).toBe(true);
  });

  it.skipIf(chromium === undefined)("renders its four plots in headless Chromium", async () => {
    const probed = join(dir, "probed.html");
    writeFileSync(probed, readFileSync(page, "utf8").replace("</body>", `${PROBE}</body>`));
    const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"];
    const dump = spawnSync(chromium!, [...flags, "--dump-dom", `file://${probed}`], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const json = /<pre id="probe">(.*?)<\/pre>/s.exec(dump.stdout)?.[1];
    expect(json, dump.stderr).toBeDefined();
    const plots = JSON.parse(json!.replaceAll("&quot;", '"')) as {
      label: string;
      width: number;
      height: number;
      marks: number;
    }[];
    expect(plots.map((p) => p.label)).toEqual([
      "latency histogram",
      "low-confidence share over time",
      "p95 latency over time",
      "prediction distribution",
    ]);
    for (const plot of plots) {
      expect(plot.width, plot.label).toBeGreaterThan(600);
      expect(plot.height, plot.label).toBeGreaterThan(200);
      expect(plot.marks, plot.label).toBeGreaterThan(10);
    }
    // A screenshot for people (.cache/cli/report.png).
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    spawnSync(
      chromium!,
      [
        ...flags,
        `--screenshot=${join(SCREENSHOT_DIR, "report.png")}`,
        "--window-size=1100,1900",
        `file://${page}`,
      ],
      {
        timeout: 60_000,
      },
    );
  });
});
