import { describe, expect, it } from 'vitest';
import { configReference, configReferenceMarkdown } from '../../src/config/reference.js';

describe('config reference', () => {
  const rows = configReference();

  it('describes every key of the schema (each default is written once, with its reason)', () => {
    expect(rows.filter((r) => !r.description).map((r) => r.key)).toEqual([]);
  });

  it('lists defaults from the schema itself', () => {
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey['train.batch_size']).toMatchObject({ type: 'integer', default: '32' });
    expect(byKey['model.units (lstm)']).toMatchObject({ type: 'integer', default: '256' });
    expect(byKey['task'].default).toBe('required');
    expect(configReferenceMarkdown().split('\n')[0]).toBe('| key | type | default | description |');
  });
});

describe('docs/CONFIG.md', () => {
  it('is the current generated reference (regenerate with `seqnet schema --markdown`)', async () => {
    const fs = await import('node:fs');
    const doc = fs.readFileSync(new URL('../../docs/CONFIG.md', import.meta.url), 'utf8');
    expect(doc).toContain(configReferenceMarkdown());
  });
});
