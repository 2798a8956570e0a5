/** One named series of a chart (a model version). */
export interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

const WIDTH = 720;
const HEIGHT = 280;
const MARGIN = { top: 16, right: 16, bottom: 52, left: 64 };
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

/** Text for SVG and HTML: &, <, >, quotes escaped. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A short number for axis labels: 0.25, 12.5, 1.2k. */
function tick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 1) return String(Math.round(value * 10) / 10);
  return String(Math.round(value * 1000) / 1000);
}

function frame(body: string, label: string, yLabel: string, xLabel: string, yMax: number): string {
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  let axis = "";
  for (let i = 0; i <= 4; i++) {
    const y = MARGIN.top + plotH - (plotH * i) / 4;
    axis += `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`;
    axis += `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${tick((yMax * i) / 4)}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(label)}" font-family="sans-serif" font-size="11">
${axis}${body}
<text x="${MARGIN.left + (WIDTH - MARGIN.left - MARGIN.right) / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeXml(xLabel)}</text>
<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>
</svg>`;
}

function legend(series: readonly Series[]): string {
  return `<p class="legend">${series
    .map((s, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escapeXml(s.name)}</span>`)
    .join(" ")}</p>`;
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(options: {
  label: string;
  categories: readonly string[];
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
}): string {
  const { categories, series } = options;
  const yMax = Math.max(1e-12, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const group = plotW / Math.max(1, categories.length);
  const bar = (group * 0.85) / Math.max(1, series.length);
  let body = "";
  series.forEach((s, si) => {
    s.values.forEach((v, ci) => {
      if (v === null || v === 0) return;
      const h = (plotH * v) / yMax;
      const x = MARGIN.left + ci * group + group * 0.075 + si * bar;
      body += `<rect x="${x.toFixed(2)}" y="${(MARGIN.top + plotH - h).toFixed(2)}" width="${bar.toFixed(2)}" height="${h.toFixed(2)}" fill="${COLORS[si % COLORS.length]}"><title>${escapeXml(`${s.name} ${categories[ci]}: ${tick(v)}`)}</title></rect>`;
    });
  });
  const every = Math.max(1, Math.ceil(categories.length / 8));
  categories.forEach((c, ci) => {
    if (ci % every !== 0) return;
    const x = MARGIN.left + ci * group + group / 2;
    body += `<text x="${x.toFixed(2)}" y="${MARGIN.top + plotH + 14}" text-anchor="middle">${escapeXml(c)}</text>`;
  });
  return frame(body, options.label, options.yLabel, options.xLabel, yMax) + legend(series);
}

/** Lines over time: `times` (ms since the epoch) are shared by every series; null leaves a gap. */
export function lineChart(options: {
  label: string;
  times: readonly number[];
  series: readonly Series[];
  yLabel: string;
}): string {
  const { times, series } = options;
  const yMax = Math.max(1e-12, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const t0 = times[0] ?? 0;
  const span = Math.max(1, (times.at(-1) ?? 0) - t0);
  const x = (t: number) => MARGIN.left + (plotW * (t - t0)) / span;
  const y = (v: number) => MARGIN.top + plotH - (plotH * v) / yMax;
  let body = "";
  series.forEach((s, si) => {
    let path = "";
    let pen = "M";
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = "M";
        return;
      }
      path += `${pen}${x(times[i]!).toFixed(2)} ${y(v).toFixed(2)} `;
      pen = "L";
    });
    const color = COLORS[si % COLORS.length];
    body += `<path d="${path.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`;
    s.values.forEach((v, i) => {
      if (v !== null) {
        body += `<circle cx="${x(times[i]!).toFixed(2)}" cy="${y(v).toFixed(2)}" r="2.5" fill="${color}"><title>${escapeXml(`${s.name} ${new Date(times[i]!).toISOString()}: ${tick(v)}`)}</title></circle>`;
      }
    });
  });
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (span * i) / 4;
    body += `<text x="${x(t).toFixed(2)}" y="${MARGIN.top + plotH + 14}" text-anchor="${i === 0 ? "start" : i === 4 ? "end" : "middle"}">${new Date(t).toISOString().slice(5, 19).replace("T", " ")}</text>`;
  }
  return frame(body, options.label, options.yLabel, "time (UTC)", yMax) + legend(series);
}
