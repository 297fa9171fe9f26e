#!/usr/bin/env node
// Writes data/tags.conll: sentences from a small seeded grammar with part-of-speech tags
// (token<TAB>tag, a blank line between sentences), written for seqnet's examples (no third-party
// text). Many words are both nouns and verbs ("they watch the play", "we play with the watch"),
// so the right tag depends on context, not just on the word.
// Usage: node scripts/make-tagging.mjs [--sentences N] [--seed S] [--out FILE]
import fs from 'node:fs';
import { arg, mulberry32 } from './lib.mjs';

const count = Number(arg('--sentences', 2000));
const rand = mulberry32(Number(arg('--seed', 5)));
const out = arg('--out', new URL('../data/tags.conll', import.meta.url).pathname);

const pick = (a) => a[Math.floor(rand() * a.length)];
const maybe = (p, f) => (rand() < p ? f() : []);

// words that are nouns and verbs alike
const both = ['watch', 'play', 'book', 'cook', 'light', 'train', 'park', 'show', 'run', 'walk', 'dance', 'drink', 'paint', 'fish', 'plant'];
const nouns = ['dog', 'cat', 'house', 'car', 'game', 'song', 'garden', 'city', 'letter', 'river', 'table', 'window', 'friend', ...both];
const verbs = ['like', 'see', 'want', 'need', 'find', 'love', 'visit', 'fix', 'open', 'bring', 'sell', ...both];
const intransitive = ['sleep', 'laugh', 'wait', 'swim', 'run', 'walk', 'dance', 'cook', 'fish', 'play'];
const adjs = ['old', 'new', 'small', 'big', 'red', 'quiet', 'happy', 'long', 'light', 'fast', 'clean'];
const advs = ['slowly', 'often', 'today', 'again', 'fast', 'well', 'together'];
const dets = ['the', 'a', 'this', 'that', 'my', 'our', 'every'];
const subjects = ['i', 'we', 'they', 'you'];
const objects = ['it', 'them', 'us', 'me', 'him', 'her'];
const adps = ['with', 'in', 'near', 'after', 'before', 'for', 'under'];
const names = ['anna', 'tom', 'mia', 'sam', 'lily', 'ben'];
const nums = ['two', 'three', 'four', 'five', 'ten'];

const w = (word, tag) => [[word, tag]];
const plural = (n) => (n === 'city' ? 'cities' : /(ch|sh)$/.test(n) ? `${n}es` : `${n}s`);
const np = () =>
  rand() < 0.15
    ? w(pick(names), 'PROPN')
    : rand() < 0.12
      ? [...w(pick(nums), 'NUM'), ...w(plural(pick(nouns)), 'NOUN')]
      : [...w(pick(dets), 'DET'), ...maybe(0.35, () => w(pick(adjs), 'ADJ')), ...w(pick(nouns), 'NOUN')];
const objectNp = () => (rand() < 0.2 ? w(pick(objects), 'PRON') : np());
const subject = () => (rand() < 0.6 ? w(pick(subjects), 'PRON') : [...w(pick(['the', 'our', 'my']), 'DET'), ...w(pick(['kids', 'friends', 'people', 'students']), 'NOUN')]);
const pp = () => [...w(pick(adps), 'ADP'), ...np()];

const vp = () =>
  pick([
    () => [...w(pick(verbs), 'VERB'), ...objectNp(), ...maybe(0.3, pp)],
    () => [...w(pick(intransitive), 'VERB'), ...maybe(0.5, () => w(pick(advs), 'ADV')), ...maybe(0.3, pp)],
    () => [...w(pick(['will', 'can', 'should']), 'AUX'), ...maybe(0.3, () => w('not', 'PART')), ...w(pick(verbs), 'VERB'), ...objectNp()],
    () => [...w(pick(['are', 'were']), 'AUX'), ...maybe(0.3, () => w(pick(['very', 'so', 'too']), 'ADV')), ...w(pick(adjs), 'ADJ')],
    () => [...w('want', 'VERB'), ...w('to', 'PART'), ...w(pick(verbs), 'VERB'), ...objectNp()],
  ])();

const clause = () => [...subject(), ...vp()];
const sentence = () =>
  pick([
    () => [...clause(), ...w('.', 'PUNCT')],
    () => [...clause(), ...w(pick(['and', 'but']), 'CCONJ'), ...clause(), ...w('.', 'PUNCT')],
    () => [...w(pick(verbs), 'VERB'), ...objectNp(), ...maybe(0.4, pp), ...w(pick(['.', '!']), 'PUNCT')], // imperative
    () => [...w(pick(['can', 'will']), 'AUX'), ...w(pick(subjects), 'PRON'), ...w(pick(verbs), 'VERB'), ...objectNp(), ...w('?', 'PUNCT')],
    () => [...np(), ...w(pick(['is', 'was']), 'AUX'), ...w(pick(adjs), 'ADJ'), ...w('.', 'PUNCT')],
  ])();

const blocks = [];
for (let i = 0; i < count; i++) blocks.push(sentence().map(([t, tag]) => `${t}\t${tag}`).join('\n'));
fs.writeFileSync(out, blocks.join('\n\n') + '\n');
console.log(`wrote ${out}: ${count} sentences, ${fs.statSync(out).size} bytes`);
