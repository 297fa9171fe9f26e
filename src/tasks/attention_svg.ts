/**
 * A hand-written SVG heatmap of an attention matrix: one column per source token (labels on top),
 * one row per output token (labels on the left), darker = more weight. Each cell carries a
 * <title> with its exact weight, shown as a tooltip by browsers.
 */

const CELL = 26;
const CHAR_W = 7.5;

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Visible form of a token: spaces and control characters get a printable stand-in. */
export function showToken(t: string): string {
  if (t === ' ') return '␣';
  if (t === '\t') return '⇥';
  if (t === '\n') return '↵';
  return t.length > 14 ? `${t.slice(0, 13)}…` : t;
}

/** weight in [0, 1] → a white-to-dark-blue fill */
function fill(w: number): string {
  const x = Math.min(1, Math.max(0, w));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * x);
  return `rgb(${mix(255, 8)},${mix(255, 48)},${mix(255, 107)})`;
}

/**
 * weights[i][j]: attention of output token i on source token j (rows of the decoder, columns of the
 * source); `title` is printed above the matrix.
 */
export function attentionSvg(sourceTokens: readonly string[], targetTokens: readonly string[], weights: readonly (readonly number[])[], title: string): string {
  const src = sourceTokens.map(showToken);
  const tgt = targetTokens.map(showToken);
  const left = Math.ceil(Math.max(3, ...tgt.map((t) => t.length)) * CHAR_W) + 14;
  const labelH = Math.ceil(Math.max(3, ...src.map((t) => t.length)) * CHAR_W * 0.75) + 14;
  const top = 30 + labelH;
  const width = left + Math.max(src.length * CELL, title.length * 7, 380) + 20; // room for the title and legend too
  const height = top + tgt.length * CELL + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="13" font-family="sans-serif">${escapeXml(title)}</text>`,
  ];
  src.forEach((t, j) => {
    const x = left + j * CELL + CELL / 2 + 4;
    out.push(`<text x="${x}" y="${top - 6}" transform="rotate(-50 ${x} ${top - 6})">${escapeXml(t)}</text>`);
  });
  tgt.forEach((t, i) => {
    const y = top + i * CELL + CELL / 2 + 4;
    out.push(`<text x="${left - 8}" y="${y}" text-anchor="end">${escapeXml(t)}</text>`);
    weights[i].forEach((w, j) => {
      out.push(
        `<rect x="${left + j * CELL}" y="${top + i * CELL}" width="${CELL}" height="${CELL}" fill="${fill(w)}" stroke="#ddd" stroke-width="0.5">` +
          `<title>${escapeXml(`${tgt[i]} ← ${src[j]}: ${w.toFixed(3)}`)}</title></rect>`,
      );
    });
  });
  const by = top + tgt.length * CELL + 16;
  out.push(
    `<text x="${left}" y="${by + 10}" font-family="sans-serif" font-size="11">rows: output tokens · columns: source tokens · white 0 → dark 1</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}
