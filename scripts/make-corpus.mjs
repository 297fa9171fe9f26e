#!/usr/bin/env node
// Writes data/tiny-stories.txt: short stories from a small seeded grammar, written for seqnet's
// examples (no third-party text). Usage: node scripts/make-corpus.mjs [--lines N] [--seed S] [--out FILE]
import fs from 'node:fs';
import { arg, mulberry32 } from './lib.mjs';

const lines = Number(arg('--lines', 1000));
const rand = mulberry32(Number(arg('--seed', 7)));
const out = arg('--out', new URL('../data/tiny-stories.txt', import.meta.url).pathname);

const pick = (a) => a[Math.floor(rand() * a.length)];

const names = ['Tom', 'Anna', 'Sam', 'Lily', 'Ben', 'Mia', 'Max', 'Zoe'];
const animals = ['cat', 'dog', 'bird', 'fox', 'rabbit', 'duck', 'frog', 'bear'];
const adjectives = ['little', 'big', 'happy', 'sleepy', 'brave', 'funny', 'kind', 'shy'];
const colours = ['red', 'blue', 'green', 'yellow', 'brown', 'white'];
const places = ['the park', 'the garden', 'the river', 'the forest', 'the house', 'the hill', 'the beach'];
const things = ['ball', 'kite', 'box', 'hat', 'cake', 'boat', 'book', 'apple'];
const feelings = ['happy', 'sad', 'tired', 'hungry', 'excited', 'scared'];
const times = ['One day', 'In the morning', 'After lunch', 'At night', 'Later'];

const sentence = (who) =>
  pick([
    () => `${who} went to ${pick(places)}.`,
    () => `${who} saw a ${pick(adjectives)} ${pick(animals)} near ${pick(places)}.`,
    () => `${who} had a ${pick(colours)} ${pick(things)}.`,
    () => `${who} was very ${pick(feelings)}.`,
    () => `The ${pick(animals)} wanted to play with the ${pick(things)}.`,
    () => `${who} and the ${pick(animals)} played all day.`,
    () => `"Can I have the ${pick(things)}?" asked ${pick(names)}.`,
    () => `${pick(times)}, ${who} found a ${pick(colours)} ${pick(things)}.`,
    () => `They laughed and ran to ${pick(places)}.`,
  ])();

const text = [];
for (let i = 0; i < lines; i++) {
  const who = pick(names);
  const n = 2 + Math.floor(rand() * 3);
  const s = [`${pick(times)}, ${who} met a ${pick(adjectives)} ${pick(animals)}.`];
  for (let k = 0; k < n; k++) s.push(sentence(rand() < 0.7 ? who : pick(['She', 'He'])));
  s.push(pick([`${who} was happy.`, 'The end.', `${who} went home.`, 'They were friends.']));
  text.push(s.join(' '));
}
fs.writeFileSync(out, text.join('\n') + '\n');
console.log(`wrote ${out}: ${text.length} lines, ${fs.statSync(out).size} bytes`);
