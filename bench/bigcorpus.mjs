#!/usr/bin/env node
/**
 * Memory check for big inputs (issue 11, promise 5), run by hand after `npm run build`:
 *
 *   node bench/bigcorpus.mjs text 200     # a 200 MB character corpus, LSTM 128, max_steps 20
 *   node bench/bigcorpus.mjs text 20
 *   node bench/bigcorpus.mjs longline 100 # 100 MB of text on one line
 *   node bench/bigcorpus.mjs csv 1000000 [LOOKBACK]  # a 1,000,000-row × 8-column forecasting CSV (lookback 48)
 *
 * The data is written to a temporary folder by repeating the shipped data/tiny-stories.txt (text)
 * or from a seeded generator (CSV), never committed. Training runs under /usr/bin/time -v; the
 * script prints peak RSS, for text the bound 2.5 × file size + 300 MB, and when the first
 * progress line appeared.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [kind = 'text', sizeArg = '200', lookback = '48'] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqnet-big-'));

function makeText(mb, oneLine) {
  const text = fs.readFileSync(path.join(root, 'data/tiny-stories.txt'), 'utf8');
  const seed = Buffer.from(oneLine ? text.replace(/\n/g, ' ') : text);
  const file = path.join(dir, 'corpus.txt');
  const fd = fs.openSync(file, 'w');
  let n = 0;
  while (n < mb * 1e6) n += fs.writeSync(fd, seed);
  fs.closeSync(fd);
  fs.writeFileSync(path.join(dir, 'exp.yaml'), `name: big
seed: 1
task: language_model
data: { train: corpus.txt, valid: 0.01, test: 0.01, tokenizer: { type: char }, seq_len: 64 }
model: { type: lstm, embedding_dim: 32, units: 128, layers: 1 }
train: { epochs: 1, batch_size: 32, max_steps: 20, log_every: 1 }
`);
  return file;
}

function makeCsv(rows) {
  const file = path.join(dir, 'series.csv');
  const fd = fs.openSync(file, 'w');
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  let buf = 'a,b,c,d,e,f,g,h\n';
  for (let i = 0; i < rows; i++) {
    const t = i / 24;
    buf += [Math.sin(t), Math.cos(t), Math.sin(t / 7), rnd(), rnd() * 10, t % 5, Math.sin(t) * rnd(), i % 13].map((v) => v.toFixed(4)).join(',') + '\n';
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
  fs.writeFileSync(path.join(dir, 'exp.yaml'), `name: big
seed: 1
task: forecasting
data: { train: series.csv, valid: 0.01, test: 0.01, lookback: ${lookback}, horizon: 1, targets: [a] }
model: { type: lstm, units: 32, layers: 1 }
train: { epochs: 1, batch_size: 64, max_steps: 20, log_every: 1 }
`);
  return file;
}

const file = kind === 'csv' ? makeCsv(Number(sizeArg)) : makeText(Number(sizeArg), kind === 'longline');
const bytes = fs.statSync(file).size;
console.log(`${kind}: ${file} ${(bytes / 1e6).toFixed(1)} MB`);
const t0 = Date.now();
let first;
const child = spawn('/usr/bin/time', ['-v', process.execPath, path.join(root, 'bin/seqnet.js'), 'train', 'exp.yaml', '--out', 'run'], { cwd: dir });
let err = '';
child.stderr.on('data', (d) => {
  const s = String(d);
  err += s;
  for (const line of s.split('\n')) {
    if (!first && /^(reading|model:|epoch)/.test(line.trim())) first = { t: (Date.now() - t0) / 1000, line };
  }
});
child.stdout.on('data', (d) => process.stdout.write(d));
const code = await new Promise((r) => child.on('close', r));
const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? NaN) * 1024;
const wall = /Elapsed \(wall clock\) time.*: (.*)/.exec(err)?.[1];
const bound = kind === 'csv' ? undefined : 2.5 * bytes + 300e6;
console.log(err.split('\n').filter((l) => /error|warning/.test(l)).slice(0, 5).join('\n'));
const verdict = bound === undefined ? '' : ` · bound ${(bound / 1e6).toFixed(0)} MB (${rss <= bound ? 'within' : 'OVER'})`;
console.log(`exit ${code} · wall ${wall} · peak RSS ${(rss / 1e6).toFixed(0)} MB${verdict}`);
if (first) console.log(`first progress line after ${first.t.toFixed(1)} s: ${first.line.trim()}`);
fs.rmSync(dir, { recursive: true, force: true });
