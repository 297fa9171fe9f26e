/**
 * YAML file + `--set` overrides → validated, typed Config. Every problem is reported at once,
 * each as `path.to.key: message (line L)`, in one ConfigError naming the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Document } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../util/errors.js';
import { ConfigSchema, modelProblems, trainProblems, type Config } from './schema/index.js';
import { dataProblems } from './data-checks.js';
import { SUPPORTED_TASKS } from './support.js';
import { closest } from './suggest.js';
import { keysAt, typesAt } from './shape.js';

export interface LoadOptions {
  /** `key.path=value` overrides, applied before validation */
  set?: string[];
}

type Raw = Record<string, unknown>;

/** Parses `a.b.c=value`; the value is read as YAML so numbers, booleans, null and lists work. */
export function applySet(raw: Raw, assignment: string, source: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ConfigError(source, [`--set ${assignment}: expected key.path=value`]);
  const keys = assignment.slice(0, eq).trim().split('.');
  const doc = parseDocument(assignment.slice(eq + 1));
  if (doc.errors.length) throw new ConfigError(source, [`--set ${assignment}: value is not valid YAML`]);
  const hostile = hostileProblems(doc);
  if (hostile.length) throw new ConfigError(source, hostile.map((p) => `--set ${assignment}: ${p}`));
  let node: Raw = raw;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === undefined || next === null) node[k] = {};
    else if (typeof next !== 'object' || Array.isArray(next))
      throw new ConfigError(source, [`--set ${assignment}: ${k} is not a section`]);
    node = node[k] as Raw;
  }
  node[keys[keys.length - 1]] = toPlain(doc, source);
}

/** Alias uses allowed when a YAML document is turned into values ("billion laughs" configs stop here). */
const MAX_ALIAS_COUNT = 100;

/** Custom tags (`!!js/function`, `!foo`) are never resolved: seqnet configs are plain data. */
function hostileProblems(doc: Document, lc?: LineCounter): string[] {
  return doc.warnings
    .filter((w) => w.code === 'TAG_RESOLVE_FAILED')
    .map((w) => {
      const at = lc && w.pos ? `line ${lc.linePos(w.pos[0]).line}: ` : '';
      return `${at}${w.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')} — seqnet configs are plain YAML; custom tags are not allowed`;
    });
}

/** The document's values, with alias expansion bounded. */
function toPlain(doc: Document, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof ReferenceError) {
      throw new ConfigError(source, [`YAML aliases expand too much (${e.message}); write the values out instead of nesting aliases`]);
    }
    throw e;
  }
}

function lineOf(doc: Document | undefined, lc: LineCounter, p: (string | number)[], overridden: string[][] = []): string {
  if (overridden.some((o) => o.every((k, i) => String(p[i]) === k))) return ' (from --set)';
  if (!doc) return '';
  for (let n = p.length; n >= 1; n--) {
    const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = lc.linePos(node.range[0]);
      return ` (line ${pos.line})`;
    }
  }
  return '';
}

interface Problem {
  path: (string | number)[];
  msg: string;
}

function describe(issue: z.ZodIssue, raw: unknown): Problem[] {
  return describeText(issue, raw).map((m) => ({
    path: issue.code === z.ZodIssueCode.unrecognized_keys ? [...issue.path, m.key ?? ''] : issue.path,
    msg: m.msg,
  }));
}

function describeText(issue: z.ZodIssue, raw: unknown): { msg: string; key?: string }[] {
  const where = issue.path.join('.');
  const prefix = (k: string | number) => (where ? `${where}.${k}` : String(k));
  switch (issue.code) {
    case z.ZodIssueCode.unrecognized_keys: {
      const allowed = keysAt(ConfigSchema, raw, issue.path);
      return issue.keys.map((k) => {
        const guess = closest(k, allowed);
        const inSection = where ? ` in ${where}` : '';
        const msg = `${prefix(k)}: unknown key \`${k}\`${inSection}${guess ? ` — did you mean \`${guess}\`?` : ''}${
          allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''
        }`;
        return { msg, key: k };
      });
    }
    case z.ZodIssueCode.invalid_union_discriminator: {
      const types = typesAt(ConfigSchema, issue.path.slice(0, -1));
      const got = issue.path.reduce<unknown>((o, k) => (o as Raw | undefined)?.[k], raw);
      const guess = typeof got === 'string' ? closest(got, types) : undefined;
      return [
        {
          msg: `${where}: ${got === undefined ? 'missing' : `unknown type \`${String(got)}\``}${
            guess ? ` — did you mean \`${guess}\`?` : ''
          } (valid: ${types.join(', ')})`,
        },
      ];
    }
    case z.ZodIssueCode.invalid_enum_value: {
      const guess = typeof issue.received === 'string' ? closest(issue.received, issue.options.map(String)) : undefined;
      return [
        {
          msg: `${where}: \`${String(issue.received)}\` is not one of ${issue.options.join(' | ')}${
            guess ? ` — did you mean \`${guess}\`?` : ''
          }`,
        },
      ];
    }
    case z.ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return [{ msg: `${where}: required` }];
      return [{ msg: `${where}: expected ${issue.expected}, got ${issue.received}` }];
    case z.ZodIssueCode.too_small:
      return [{ msg: `${where}: must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}${issue.type === 'array' ? ' items' : ''}` }];
    case z.ZodIssueCode.too_big:
      return [{ msg: `${where}: must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}` }];
    default:
      return [{ msg: `${where || '(top level)'}: ${issue.message}` }];
  }
}

/** Cross-field checks the schema cannot express, as `path: message` problems. */
function crossCheck(cfg: Config): { path: (string | number)[]; msg: string }[] {
  const out: { path: (string | number)[]; msg: string }[] = [];
  // the run directory is runs/<name>: `.` or `..` would point at (and --overwrite would empty) a folder above it
  if (/^\.+$/.test(cfg.name)) out.push({ path: ['name'], msg: `\`${cfg.name}\` is not a file name; name the run, e.g. my-run` });
  const ok = SUPPORTED_TASKS[cfg.model.type];
  if (!ok.includes(cfg.task)) {
    out.push({
      path: ['model', 'type'],
      msg: `model type \`${cfg.model.type}\` does not support task \`${cfg.task}\` (it supports: ${ok.join(', ')})`,
    });
  }
  out.push(...modelProblems(cfg.model, cfg.task, cfg.data));
  out.push(...dataProblems(cfg));
  out.push(...trainProblems(cfg.train));
  return out;
}

/** Validates a raw object; `source` names the file for messages; `doc` gives line numbers. */
export function validateConfig(raw: unknown, source: string, doc?: Document, lc = new LineCounter(), overridden: string[][] = []): Config {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((i) => describe(i, raw)).map((p) => p.msg + lineOf(doc, lc, p.path, overridden));
    throw new ConfigError(source, problems);
  }
  const cross = crossCheck(parsed.data);
  if (cross.length) {
    throw new ConfigError(source, cross.map((c) => `${c.path.join('.')}: ${c.msg}${lineOf(doc, lc, c.path, overridden)}`));
  }
  return parsed.data;
}

/** Resolves data paths against `baseDir` (the config file's folder). */
export function resolvePaths(cfg: Config, baseDir: string): Config {
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.resolve(baseDir, p));
  const d = cfg.data;
  return {
    ...cfg,
    data: {
      ...d,
      train: Array.isArray(d.train) ? d.train.map(abs) : abs(d.train),
      valid: typeof d.valid === 'string' ? abs(d.valid) : d.valid,
      test: typeof d.test === 'string' ? abs(d.test) : d.test,
    },
    train: cfg.train.init_from ? { ...cfg.train, init_from: abs(cfg.train.init_from) } : cfg.train,
    model: 'embeddings' in cfg.model && cfg.model.embeddings ? { ...cfg.model, embeddings: { ...cfg.model.embeddings, path: abs(cfg.model.embeddings.path) } } : cfg.model,
  };
}

/** Reads, parses and validates a YAML experiment config. */
export function loadConfig(file: string, opts: LoadOptions = {}): Config {
  if (!fs.existsSync(file)) throw new ConfigError(file, [`config file not found (looked for ${path.resolve(file)})`]);
  if (fs.statSync(file).isDirectory()) throw new ConfigError(file, ['is a directory, expected a YAML config file']);
  const text = fs.readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}` : 'YAML'}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const hostile = hostileProblems(doc, lc);
  if (hostile.length) throw new ConfigError(file, hostile);
  const raw = toPlain(doc, file);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, ['the file must be a YAML mapping with name, task, data, model and train']);
  }
  for (const s of opts.set ?? []) applySet(raw as Raw, s, file);
  if (!isMap(doc.contents) && !isSeq(doc.contents)) throw new ConfigError(file, ['empty config']);
  const overridden = (opts.set ?? []).map((a) => a.slice(0, Math.max(0, a.indexOf('='))).trim().split('.'));
  const cfg = validateConfig(raw, file, doc, lc, overridden);
  return resolvePaths(cfg, path.dirname(path.resolve(file)));
}
