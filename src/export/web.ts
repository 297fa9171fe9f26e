/**
 * `seqnet export --web DIR`: a static demo page. DIR/index.html + DIR/demo.js (one esbuild bundle:
 * TensorFlow.js, seqnet/layers, seqnet/infer and the page's UI) + DIR/model/ (the export, written
 * by index.ts). Everything is relative, so any static server works.
 */
import path from 'node:path';
import type { Config } from '../config/schema/index.js';
import { writeFileAtomic } from '../util/fs.js';
import { buildBundle } from './bundle.js';
import type { SeqnetJson } from './processing.js';
import { demoSample } from './samples.js';

const TITLES: Record<string, string> = {
  language_model: 'Text generation',
  classification: 'Text classification',
  tagging: 'Sequence tagging',
  forecasting: 'Forecasting',
  seq2seq: 'Translation',
  masked_lm: 'Masked language model',
};

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function html(title: string, runName: string, s: SeqnetJson, sample: unknown): string {
  // the sample rides in a JSON script tag: no inline code, so a strict CSP page could host it too
  const data = JSON.stringify(sample).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · ${escape(runName)} · seqnet</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%233b5bdb'/%3E%3C/svg%3E">
<link rel="stylesheet" href="demo.css">
</head>
<body data-state="loading">
<header>
  <h1>${escape(title)}</h1>
  <p class="sub"><b>${escape(runName)}</b> · ${escape(s.family)} · ${s.standard_layers ? 'standard TensorFlow.js layers' : `seqnet/layers: ${escape(s.custom_layers.join(', '))}`}</p>
</header>
<main id="app"><p class="muted">Loading the model…</p></main>
<footer>Runs entirely in your browser with TensorFlow.js · exported by <code>seqnet export --web</code></footer>
<script type="application/json" id="sample">${data}</script>
<script src="demo.js"></script>
</body>
</html>
`;
}

const CSS = `
:root { --ink: #1d2330; --muted: #6b7385; --line: #e3e6ee; --accent: #3b5bdb; --bg: #f6f7fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 860px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 32px; }
h1 { margin: 0; font-size: 28px; letter-spacing: -0.01em; }
.sub { margin: 4px 0 20px; color: var(--muted); font-size: 14px; }
main { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 24px; box-shadow: 0 1px 3px rgba(20, 30, 60, 0.06); }
footer { color: var(--muted); font-size: 13px; padding-top: 16px; padding-bottom: 32px; }
label { display: block; font-weight: 600; font-size: 14px; margin-bottom: 6px; }
textarea, input[type=text] { width: 100%; font: inherit; padding: 10px 12px; border: 1px solid var(--line); border-radius: 8px; background: #fbfcfe; }
textarea:focus, input[type=text]:focus { outline: 2px solid #c5d0fa; border-color: var(--accent); }
.row { display: flex; gap: 20px; align-items: center; flex-wrap: wrap; margin: 14px 0; }
.row label { margin: 0; font-weight: 500; }
input[type=range] { width: 180px; vertical-align: middle; accent-color: var(--accent); }
input[type=number] { width: 80px; font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; }
button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px; padding: 9px 18px; cursor: pointer; }
button:disabled { opacity: 0.6; cursor: default; }
.out { white-space: pre-wrap; font: 15px/1.6 ui-monospace, "SFMono-Regular", Menlo, monospace; background: #fbfcfe; border: 1px solid var(--line); border-radius: 8px; padding: 14px; min-height: 120px; }
.out .prime { color: var(--muted); }
.muted { color: var(--muted); }
.bars { margin-top: 18px; display: grid; grid-template-columns: max-content 1fr 64px; gap: 8px 12px; align-items: center; }
.bar { height: 14px; border-radius: 7px; background: #edf0f7; overflow: hidden; }
.bar > i { display: block; height: 100%; background: #a9b8ee; border-radius: 7px; }
.bar.top > i { background: var(--accent); }
.bars span.top { font-weight: 700; }
.num { font-variant-numeric: tabular-nums; text-align: right; color: var(--muted); }
.tokens { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 18px; }
.tok { display: flex; flex-direction: column; align-items: center; border-radius: 8px; padding: 6px 10px; border: 1px solid var(--line); }
.tok b { font-weight: 600; }
.tok small { font-size: 12px; font-weight: 700; letter-spacing: 0.04em; }
svg text { font: 12px system-ui, sans-serif; fill: var(--muted); }
.translation { font-size: 22px; font-weight: 600; margin: 18px 0 12px; min-height: 1.5em; }
table.heat { border-collapse: separate; border-spacing: 2px; font: 13px ui-monospace, Menlo, monospace; }
table.heat th { font-weight: 500; color: var(--muted); padding: 0 4px; text-align: center; }
table.heat td { width: 22px; height: 22px; border-radius: 3px; border: 1px solid #eef0f5; }
table.fc { border-collapse: collapse; margin-top: 12px; font-size: 14px; }
table.fc td, table.fc th { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: right; }
`;

/** Writes index.html, demo.css and demo.js into `dir`; returns the files. */
export async function writeWebPage(dir: string, s: SeqnetJson, cfg: Config): Promise<string[]> {
  const index = path.join(dir, 'index.html');
  const css = path.join(dir, 'demo.css');
  writeFileAtomic(index, html(TITLES[s.task] ?? s.task, cfg.name, s, demoSample(cfg)));
  writeFileAtomic(css, CSS.trimStart());
  return [index, css, await buildBundle('demo', path.join(dir, 'demo.js'))];
}
