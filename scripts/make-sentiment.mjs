#!/usr/bin/env node
// Writes data/reviews.csv (columns text,label): short product/film reviews from a small seeded
// grammar, written for seqnet's examples (no third-party text). The label needs word order, not
// just words: "not good" is negative, "not bad" positive, and in "X but Y" the clause after "but"
// decides ("boring but beautiful" is positive, "beautiful but boring" negative). 2% of labels are
// flipped as noise. Usage: node scripts/make-sentiment.mjs [--rows N] [--seed S] [--out FILE]
import fs from 'node:fs';
import { arg, mulberry32 } from './lib.mjs';

const rows = Number(arg('--rows', 3000));
const rand = mulberry32(Number(arg('--seed', 11)));
const out = arg('--out', new URL('../data/reviews.csv', import.meta.url).pathname);

const pick = (a) => a[Math.floor(rand() * a.length)];

const things = ['film', 'movie', 'book', 'phone', 'camera', 'hotel', 'meal', 'game', 'album', 'show', 'laptop', 'story'];
const parts = ['plot', 'screen', 'battery', 'ending', 'music', 'service', 'acting', 'design', 'price', 'food', 'sound', 'room'];
const good = ['good', 'great', 'excellent', 'wonderful', 'beautiful', 'fun', 'brilliant', 'charming', 'solid', 'lovely', 'clever', 'fast'];
const bad = ['bad', 'awful', 'boring', 'terrible', 'slow', 'dull', 'poor', 'weak', 'ugly', 'broken', 'noisy', 'disappointing'];
const very = ['very', 'really', 'quite', 'so', 'truly'];
const neutral = [
  'i bought it last week.',
  'we watched it on sunday.',
  'my friend told me about it.',
  'it arrived on time.',
  'i used it for a month.',
  'we went there in july.',
  'i read it on the train.',
];
const endings = { 1: ['would recommend.', 'i loved it.', 'five stars.', 'worth it.'], [-1]: ['would not recommend.', 'what a waste.', 'one star.', 'avoid it.'] };

/** a clause with polarity `p` (+1 / -1), possibly negated */
function clause(p) {
  const negate = rand() < 0.35;
  const word = pick((p > 0) !== negate ? good : bad);
  const adv = rand() < 0.3 ? `${pick(very)} ` : '';
  const subject = rand() < 0.5 ? `the ${pick(parts)}` : pick(['it', 'this one', `the ${pick(things)}`]);
  const verb = subject === 'it' || subject === 'this one' ? 'is' : pick(['is', 'was']);
  if (negate) {
    const not = pick(['not', 'not', 'never', 'not really']);
    return `${subject} ${verb} ${not} ${not === 'not really' ? '' : adv}${word}`;
  }
  return `${subject} ${verb} ${adv}${word}`;
}

const lines = ['text,label'];
for (let i = 0; i < rows; i++) {
  const p = rand() < 0.5 ? 1 : -1;
  const s = [];
  if (rand() < 0.3) s.push(pick(neutral));
  const shape = rand();
  if (shape < 0.4) s.push(`${clause(p)}.`);
  else if (shape < 0.75) s.push(`${clause(-p)} but ${clause(p)}.`); // the clause after "but" decides
  else s.push(`${clause(p)} and ${clause(p)}.`);
  if (rand() < 0.25) s.push(pick(endings[p]));
  const label = rand() < 0.02 ? -p : p;
  const text = s.join(' ').replace(/\.$/, () => (rand() < 0.3 ? '' : '.')); // some reviews end without a full stop
  lines.push(`"${text.replace(/"/g, '""')}",${label > 0 ? 'positive' : 'negative'}`);
}
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${out}: ${rows} rows, ${fs.statSync(out).size} bytes`);
