/**
 * No import cycles in src/, type-only imports included (STYLE.md): when two files need each
 * other's types, the types belong in a third file. dpdm resolves the TypeScript import graph
 * (transform: false keeps `import type` edges).
 */
import { parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

async function cycles(): Promise<string[]> {
  const tree = await parseDependencyTree(['src/**/*.ts'], { context: process.cwd(), transform: false, tsconfig: 'tsconfig.json' });
  return parseCircular(tree).map((c) => c.join(' -> '));
}

describe('src/ import graph', () => {
  it('has no cycles, type-only imports included', async () => {
    expect(await cycles()).toEqual([]);
  });

  it('sees type-only imports (the check would miss half the cycles otherwise)', async () => {
    const tree = await parseDependencyTree(['src/backend/ops/recurrent/types.ts'], { context: process.cwd(), transform: false, tsconfig: 'tsconfig.json' });
    const deps = tree['src/backend/ops/recurrent/types.ts']?.map((d) => d.id) ?? [];
    expect(deps).toContain('src/backend/tf.ts'); // `import type { tf }` only
  });
});
