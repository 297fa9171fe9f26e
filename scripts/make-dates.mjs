#!/usr/bin/env node
// Writes data/dates.tsv: dates written in many human formats (source) and their ISO 8601 form
// (target), for seqnet's seq2seq example. Seeded, no third-party text.
// Conventions the model has to learn: slashes are month/day/year (US: 03/04/2021 = March 4),
// dots are day.month.year (04.03.2021 = March 4), two-digit years 50-99 mean 19xx and 00-49 20xx.
// Usage: node scripts/make-dates.mjs [--pairs N] [--seed S] [--out FILE]
import fs from 'node:fs';
import { arg, mulberry32 } from './lib.mjs';

const pairs = Number(arg('--pairs', 11000));
const rand = mulberry32(Number(arg('--seed', 11)));
const out = arg('--out', new URL('../data/dates.tsv', import.meta.url).pathname);

const pick = (a) => a[Math.floor(rand() * a.length)];

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FIRST = Date.UTC(1950, 0, 1);
const LAST = Date.UTC(2049, 11, 31);
const DAY_MS = 86400000;

const pad2 = (n) => String(n).padStart(2, '0');
const ordinal = (n) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
/** a word in one of the cases people type: lower, Title or UPPER */
const cased = (w) => pick([w.toLowerCase(), w, w, w.toUpperCase()]);
const short = (w) => w.slice(0, 3);

// Each format gets the date's parts and returns one way of writing it.
const FORMATS = [
  (d) => `${d.day} ${cased(d.month)} ${d.year}`, // 3 March 2021
  (d) => `${cased(short(d.month))} ${d.day}, ${d.yy}`, // Mar 3, 21
  (d) => `${pad2(d.m)}/${pad2(d.day)}/${d.year}`, // 03/03/2021 (US)
  (d) => `${d.m}/${d.day}/${d.yy}`, // 3/3/21 (US)
  (d) => `${cased(d.weekday)} ${cased(d.month)} ${ordinal(d.day)} ${d.year}`, // wednesday march 3rd 2021
  (d) => `${cased(d.month)} ${ordinal(d.day)}, ${d.year}`, // March 3rd, 2021
  (d) => `${ordinal(d.day)} of ${cased(d.month)} ${d.year}`, // 3rd of March 2021
  (d) => `the ${ordinal(d.day)} of ${cased(d.month)}, ${d.year}`, // the 3rd of March, 2021
  (d) => `${d.year}-${pad2(d.m)}-${pad2(d.day)}`, // 2021-03-03
  (d) => `${pad2(d.day)}.${pad2(d.m)}.${d.year}`, // 03.03.2021 (day first)
  (d) => `${d.day}.${d.m}.${d.yy}`, // 3.3.21 (day first)
  (d) => `${cased(short(d.weekday))}, ${d.day} ${cased(short(d.month))} ${d.year}`, // Wed, 3 Mar 2021
  (d) => `${d.day}-${cased(short(d.month))}-${d.year}`, // 3-Mar-2021
  (d) => `${d.year}${pad2(d.m)}${pad2(d.day)}`, // 20210303
  (d) => `${cased(d.weekday)}, ${cased(d.month)} ${d.day}, ${d.year}`, // Wednesday, March 3, 2021
  (d) => `${cased(short(d.month))} ${d.day} ${d.year}`, // mar 3 2021
  (d) => `${d.year}/${pad2(d.m)}/${pad2(d.day)}`, // 2021/03/03
  (d) => `${d.day} ${cased(short(d.month))} '${d.yy}`, // 3 Mar '21
];

function randomDate() {
  const t = FIRST + Math.floor(rand() * ((LAST - FIRST) / DAY_MS + 1)) * DAY_MS;
  const dt = new Date(t);
  const year = dt.getUTCFullYear();
  const m = dt.getUTCMonth() + 1;
  const day = dt.getUTCDate();
  return {
    year,
    yy: pad2(year % 100),
    m,
    day,
    month: MONTHS[m - 1],
    weekday: DAYS[dt.getUTCDay()],
    iso: `${year}-${pad2(m)}-${pad2(day)}`,
  };
}

const seen = new Set();
const rows = ['source\ttarget'];
while (rows.length <= pairs) {
  const d = randomDate();
  const source = pick(FORMATS)(d);
  if (seen.has(source)) continue; // each source once, so no test source is also a training source
  seen.add(source);
  rows.push(`${source}\t${d.iso}`);
}
fs.writeFileSync(out, rows.join('\n') + '\n');
console.log(`wrote ${pairs} pairs to ${out}`);
