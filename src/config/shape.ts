/** Walks a zod schema alongside raw input to find the keys an object at `path` accepts. */
import { z } from 'zod';

function unwrap(s: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s._def.innerType;
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else return s;
  }
}

function pick(s: z.ZodTypeAny, raw: unknown): z.ZodTypeAny | undefined {
  s = unwrap(s);
  if (s instanceof z.ZodDiscriminatedUnion) {
    const tag = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[s.discriminator] : undefined;
    return s.optionsMap.get(tag as z.Primitive);
  }
  return s;
}

/** Keys allowed in the object found at `path`, or [] when the path does not lead to an object. */
export function keysAt(schema: z.ZodTypeAny, raw: unknown, path: (string | number)[]): string[] {
  let s = pick(schema, raw);
  let r = raw;
  for (const k of path) {
    if (!s) return [];
    r = r && typeof r === 'object' ? (r as Record<string | number, unknown>)[k] : undefined;
    if (s instanceof z.ZodObject) s = pick(s.shape[k as string], r);
    else if (s instanceof z.ZodArray) s = pick(s.element, r);
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** Valid `type` values of the discriminated union at `path`, if that is what lives there. */
export function typesAt(schema: z.ZodTypeAny, path: (string | number)[]): string[] {
  let s: z.ZodTypeAny = unwrap(schema);
  for (const k of path) {
    if (!(s instanceof z.ZodObject) || !(k in s.shape)) return [];
    s = unwrap(s.shape[k as string]);
  }
  return s instanceof z.ZodDiscriminatedUnion ? [...s.optionsMap.keys()].map(String) : [];
}
