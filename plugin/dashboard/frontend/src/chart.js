// A small grouped bar chart in SVG: one group per label, one bar per series. No library needed.

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const element = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

// groups: [{label, values: [number per series]}]; series: [{name, className}]
export function barChart({ title, groups, series, format = (v) => String(v) }) {
  const barWidth = 28;
  const gap = 24;
  const groupWidth = series.length * barWidth + (series.length - 1) * 4 + gap * 2;
  const height = 200;
  const top = 24;
  const bottom = 48;
  const left = 56;
  const width = Math.max(320, left + groups.length * groupWidth + 16);
  const max = Math.max(1, ...groups.flatMap((g) => g.values.map((v) => Math.abs(v))));
  const scale = (height - top - bottom) / max;
  // Drawn at its natural size (shrinks on narrow screens, never blown up).
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart",
    "aria-label": title, width, height, preserveAspectRatio: "xMinYMin meet" });
  root.append(svg("title", {}, title));
  const baseline = height - bottom;
  for (const fraction of [0, 0.5, 1]) {
    const y = baseline - fraction * max * scale;
    root.append(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "grid" }));
    root.append(svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, format(fraction * max)));
  }
  groups.forEach((group, gi) => {
    const x0 = left + gi * groupWidth + gap;
    group.values.forEach((value, si) => {
      const barHeight = Math.abs(value) * scale;
      const rect = svg("rect", { x: x0 + si * (barWidth + 4), y: baseline - barHeight, width: barWidth,
        height: Math.max(barHeight, value ? 1 : 0), rx: 2, class: `bar ${series[si].className}` });
      rect.append(svg("title", {}, `${group.label} — ${series[si].name}: ${format(value)}`));
      root.append(rect);
    });
    const room = Math.max(8, Math.floor(groupWidth / 6));
    const label = group.label.length > room ? `${group.label.slice(0, room - 1)}…` : group.label;
    root.append(svg("text", { x: x0 + (groupWidth - gap * 2) / 2, y: baseline + 16, class: "axis",
      "text-anchor": "middle" }, label));
  });
  series.forEach((s, si) => {
    const x = left + si * 120;
    root.append(svg("rect", { x, y: height - 18, width: 10, height: 10, rx: 2, class: `bar ${s.className}` }));
    root.append(svg("text", { x: x + 14, y: height - 9, class: "axis" }, s.name));
  });
  return root;
}
