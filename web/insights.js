// What an evaluation's records show at a glance: exact match by answer length (a bar chart),
// the first token where wrong answers leave the reference (a confusion table), and the records
// as CALT's eval JSON or as CSV. Pure functions of the records the workers return.

/// Exact match per answer length in tokens, shortest first: [{tokens, correct, total}].
export function byAnswerLength(records) {
  const groups = new Map();
  for (const r of records) {
    const g = groups.get(r.answer_tokens) ?? { tokens: r.answer_tokens, correct: 0, total: 0 };
    g.total += 1;
    g.correct += r.correct ? 1 : 0;
    groups.set(r.answer_tokens, g);
  }
  return [...groups.values()].sort((a, b) => a.tokens - b.tokens);
}

/// The tokens of a decoded answer, as the sample table and the confusion table compare them.
export function tokens(text) {
  return text.split(/\s+/).filter(Boolean);
}

/// For wrong answers: how often the first differing token was `reference` → `generated`
/// (`end` where one answer stops first), most frequent first.
export function firstDifferences(records) {
  const counts = new Map();
  for (const r of records) {
    if (r.correct) continue;
    const [a, b] = [tokens(r.reference), tokens(r.generated)];
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    const key = `${a[i] ?? "end"}\u0000${b[i] ?? "end"}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([key, count]) => {
      const [reference, generated] = key.split("\u0000");
      return { reference, generated, count };
    })
    .sort((x, y) => y.count - x.count || x.reference.localeCompare(y.reference));
}

/// CALT's eval file: a JSON list of {generated, reference}, in file order.
export function caltEvalJson(records) {
  return JSON.stringify(records.map((r) => ({ generated: r.generated, reference: r.reference })), null, 2);
}

export function csv(records) {
  const cell = (v) => {
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const rows = [["line", "problem", "reference", "generated", "correct", "answer_tokens"]];
  for (const r of records) rows.push([r.line, r.problem, r.reference, r.generated, r.correct, r.answer_tokens]);
  return rows.map((row) => row.map(cell).join(",")).join("\n") + "\n";
}

const SVG = "http://www.w3.org/2000/svg";

/// A bar per answer length, its height the exact match; the label says it in words too, so
/// that a screen reader gets the numbers.
export function lengthChart(groups) {
  // The axis sits far enough right for its widest label, "100%".
  const width = 36 * Math.max(groups.length, 1) + 46;
  const height = 160;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  // Drawn at its own size (a few bars stay small), narrowed to fit a phone.
  svg.setAttribute("width", String(width * 1.5));
  svg.setAttribute("height", String(height * 1.5));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Exact match by answer length: " + groups
    .map((g) => `${g.tokens} tokens ${Math.round((100 * g.correct) / g.total)}% of ${g.total}`).join("; "));
  const add = (name, attrs, text) => {
    const el = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    svg.append(el);
    return el;
  };
  const top = 14;
  const plot = height - top - 30;
  add("line", { x1: 36, y1: top, x2: 36, y2: top + plot, class: "axis" });
  add("text", { x: 32, y: top + 4, "text-anchor": "end", class: "tick" }, "100%");
  add("text", { x: 32, y: top + plot, "text-anchor": "end", class: "tick" }, "0");
  groups.forEach((g, i) => {
    const share = g.correct / g.total;
    const x = 46 + 36 * i;
    const h = Math.max(share * plot, 1);
    const bar = add("rect", { x, y: top + plot - h, width: 26, height: h, class: share === 1 ? "bar full" : "bar" });
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${g.tokens} tokens: ${g.correct} / ${g.total} right`;
    bar.append(title);
    add("text", { x: x + 13, y: top + plot + 14, "text-anchor": "middle", class: "tick" }, g.tokens);
  });
  add("text", { x: 46, y: height - 2, class: "tick" }, "answer length (tokens)");
  return svg;
}

/// Offers `text` as a file download.
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
