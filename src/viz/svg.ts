// A self-contained SVG scatter plot (the latent maps of Flowtron's blog post): points coloured
// by label, axes with ticks, and a legend. No fonts or scripts beyond what every browser has.

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  /** Tooltip (e.g. the utterance's file name). */
  title?: string;
}

export interface ScatterOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Tableau-10, then a golden-angle hue walk for more labels. */
export function labelColour(i: number): string {
  const base = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  return i < base.length ? base[i]! : `hsl(${Math.round((i * 137.508) % 360)}, 65%, 50%)`;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(3)));

/** The SVG document text of a scatter plot of `points`, one colour per distinct label (in order of appearance). */
export function scatterSvg(points: ScatterPoint[], o: ScatterOptions = {}): string {
  const W = o.width ?? 720;
  const H = o.height ?? 540;
  const labels = [...new Set(points.map((p) => p.label))];
  const legendW = Math.min(220, 40 + 7.5 * Math.max(4, ...labels.map((l) => l.length)));
  const m = { left: 64, right: legendW + 16, top: o.title ? 44 : 20, bottom: 56 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const pad = (lo: number, hi: number): [number, number] => {
    const s = hi - lo || Math.max(Math.abs(hi), 1);
    return [lo - 0.08 * s, hi + 0.08 * s];
  };
  const [x0, x1] = points.length ? pad(Math.min(...xs), Math.max(...xs)) : [-1, 1];
  const [y0, y1] = points.length ? pad(Math.min(...ys), Math.max(...ys)) : [-1, 1];
  const sx = (v: number): number => m.left + ((v - x0) / (x1 - x0)) * pw;
  const sy = (v: number): number => m.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const r = (v: number): string => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  if (o.title) out.push(`<text x="${r(m.left + pw / 2)}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(o.title)}</text>`);
  out.push(`<g stroke="#ddd" stroke-width="1">`);
  for (const t of ticks(x0, x1)) out.push(`<line x1="${r(sx(t))}" y1="${m.top}" x2="${r(sx(t))}" y2="${m.top + ph}"/>`);
  for (const t of ticks(y0, y1)) out.push(`<line x1="${m.left}" y1="${r(sy(t))}" x2="${m.left + pw}" y2="${r(sy(t))}"/>`);
  out.push('</g>');
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<g fill="#333">`);
  for (const t of ticks(x0, x1)) out.push(`<text x="${r(sx(t))}" y="${m.top + ph + 16}" text-anchor="middle">${fmt(t)}</text>`);
  for (const t of ticks(y0, y1)) out.push(`<text x="${m.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
  out.push('</g>');
  if (o.xLabel) out.push(`<text x="${r(m.left + pw / 2)}" y="${H - 14}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  if (o.yLabel) out.push(`<text transform="translate(16 ${r(m.top + ph / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  out.push('<g stroke="#222" stroke-width="0.6" fill-opacity="0.85">');
  for (const p of points) {
    const c = labelColour(labels.indexOf(p.label));
    const tip = escapeXml(p.title ? `${p.label}: ${p.title}` : p.label);
    out.push(`<circle cx="${r(sx(p.x))}" cy="${r(sy(p.y))}" r="6" fill="${c}"><title>${tip}</title></circle>`);
  }
  out.push('</g>');
  const lx = W - legendW - 4;
  out.push(`<g class="legend"><rect x="${lx}" y="${m.top}" width="${legendW - 8}" height="${22 * labels.length + 14}" fill="white" stroke="#999"/>`);
  labels.forEach((l, i) => {
    const y = m.top + 18 + 22 * i;
    out.push(`<circle cx="${lx + 16}" cy="${y - 4}" r="6" fill="${labelColour(i)}" stroke="#222" stroke-width="0.6"/>`);
    out.push(`<text x="${lx + 30}" y="${y}">${escapeXml(l)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
