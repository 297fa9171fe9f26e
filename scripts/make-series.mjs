#!/usr/bin/env node
// Writes data/weather.csv: an hourly multivariate weather-like series from a seeded model (no
// third-party data): date, temperature, humidity, pressure, wind. Temperature has a trend, a daily
// and a weekly cycle and autocorrelated noise; humidity moves against temperature; pressure drifts
// slowly; wind follows the day. A few cells are left empty, as in real sensor logs.
// Usage: node scripts/make-series.mjs [--weeks N] [--seed S] [--out FILE]
import fs from 'node:fs';
import { arg, mulberry32 } from './lib.mjs';

const weeks = Number(arg('--weeks', 12));
const rand = mulberry32(Number(arg('--seed', 3)));
const out = arg('--out', new URL('../data/weather.csv', import.meta.url).pathname);

const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const n = weeks * 7 * 24;
const start = Date.UTC(2024, 2, 1);
const rows = ['date,temperature,humidity,pressure,wind'];
let e = 0; // AR(1) temperature noise
let p = 0; // pressure drift
let missing = 0;
for (let t = 0; t < n; t++) {
  const hour = t % 24;
  const daily = Math.sin((2 * Math.PI * (hour - 9)) / 24); // warmest mid-afternoon
  const weekly = Math.sin((2 * Math.PI * t) / 168);
  e = 0.9 * e + 0.4 * normal();
  p = 0.98 * p + 0.6 * normal();
  const temperature = 10 + (0.08 * t) / 24 + 5 * daily + 1.5 * weekly + e;
  const humidity = Math.min(100, Math.max(15, 72 - 9 * daily - 2 * e + 2 * normal()));
  const pressure = 1013 + 4 * weekly + p;
  const wind = Math.max(0, 3 + 1.5 * daily - 0.1 * p + 0.8 * normal());
  const cells = [temperature.toFixed(2), humidity.toFixed(1), pressure.toFixed(1), wind.toFixed(2)];
  if (t > 0 && rand() < 0.004) {
    cells[1 + Math.floor(rand() * 3)] = '';
    missing++;
  }
  rows.push([new Date(start + t * 3600e3).toISOString().slice(0, 16), ...cells].join(','));
}
fs.writeFileSync(out, rows.join('\n') + '\n');
console.log(`wrote ${out}: ${n} rows (${missing} with an empty cell), ${fs.statSync(out).size} bytes`);
