/**
 * The config reference, generated from the schema itself: every key with its type, default and
 * description, so the documentation cannot drift from the validation.
 */
import { z } from 'zod';
import { ConfigSchema } from './schema/index.js';

export interface RefRow {
  key: string;
  type: string;
  default: string;
  description: string;
}

function unwrap(s: z.ZodTypeAny): { s: z.ZodTypeAny; dflt?: unknown; nullable: boolean; desc?: string } {
  let dflt: unknown;
  let nullable = false;
  let desc = s.description;
  for (;;) {
    desc ??= s.description;
    if (s instanceof z.ZodDefault) {
      dflt = s._def.defaultValue();
      s = s._def.innerType;
    } else if (s instanceof z.ZodNullable) {
      nullable = true;
      s = s._def.innerType;
    } else if (s instanceof z.ZodOptional) s = s._def.innerType;
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else return { s, dflt, nullable, desc: desc ?? s.description };
  }
}

function typeName(s: z.ZodTypeAny): string {
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodNumber) return s.isInt ? 'integer' : 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodEnum) return (s.options as string[]).join(' | ');
  if (s instanceof z.ZodLiteral) return JSON.stringify(s.value);
  if (s instanceof z.ZodArray) return `list of ${typeName(unwrap(s.element).s)}`;
  if (s instanceof z.ZodTuple) return `[${(s.items as z.ZodTypeAny[]).map((i) => typeName(unwrap(i).s)).join(', ')}]`;
  if (s instanceof z.ZodUnion) return (s.options as z.ZodTypeAny[]).map((o) => typeName(unwrap(o).s)).join(' or ');
  if (s instanceof z.ZodObject) return 'mapping';
  if (s instanceof z.ZodDiscriminatedUnion) return `mapping by type (${[...s.optionsMap.keys()].join(' | ')})`;
  return 'value';
}

function walk(s: z.ZodTypeAny, prefix: string, out: RefRow[], desc?: string, dflt?: unknown, nullable = false): void {
  if (s instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(s.shape as Record<string, z.ZodTypeAny>)) {
      const u = unwrap(v);
      walk(u.s, prefix ? `${prefix}.${k}` : k, out, u.desc, u.dflt, u.nullable);
    }
    return;
  }
  if (s instanceof z.ZodDiscriminatedUnion) {
    out.push({ key: `${prefix}.type`, type: [...s.optionsMap.keys()].join(' | '), default: dflt ? JSON.stringify(dflt) : 'required', description: desc ?? '' });
    for (const [tag, opt] of s.optionsMap) {
      const shape = (opt as z.ZodObject<z.ZodRawShape>).shape;
      for (const [k, v] of Object.entries(shape)) {
        if (k === s.discriminator) continue;
        const u = unwrap(v);
        walk(u.s, `${prefix}.${k} (${String(tag)})`, out, u.desc, u.dflt, u.nullable);
      }
    }
    return;
  }
  out.push({
    key: prefix,
    type: typeName(s) + (nullable ? ' or null' : ''),
    default: dflt === undefined ? (nullable ? '' : 'required') : JSON.stringify(dflt),
    description: desc ?? '',
  });
}

export function configReference(): RefRow[] {
  const out: RefRow[] = [];
  walk(ConfigSchema, '', out);
  return out;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

export function configReferenceMarkdown(): string {
  const rows = configReference();
  return ['| key | type | default | description |', '|---|---|---|---|', ...rows.map((r) => `| \`${r.key}\` | ${esc(r.type)} | ${esc(r.default)} | ${esc(r.description)} |`)].join('\n');
}
