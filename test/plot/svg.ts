/** SVG checks for the plot tests: well-formed XML, and the texts drawn in it. */
import fs from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

/** every <text> content of the SVG file, after checking it parses as XML with an <svg> root */
export function svgTexts(file: string): string[] {
  expect(fs.existsSync(file), `${file} was written`).toBe(true);
  const xml = fs.readFileSync(file, 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: true, processEntities: true }).parse(xml);
  expect(doc.svg).toBeDefined();
  const out: string[] = [];
  const walk = (n: unknown, key = ''): void => {
    if (Array.isArray(n)) return n.forEach((x) => walk(x, key));
    if (n && typeof n === 'object') return Object.entries(n).forEach(([k, v]) => walk(v, k));
    if (key === 'text' || key === '#text' || key === 'tspan') out.push(String(n));
  };
  walk(doc.svg);
  return out;
}

/** asserts each of `wanted` is the text of some <text> element */
export function expectTexts(file: string, wanted: string[]): void {
  const texts = svgTexts(file);
  for (const w of wanted) expect(texts, `${file} shows "${w}"`).toContain(w);
}
