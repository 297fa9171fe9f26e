/** GitHub Actions integration: `::error::` annotations and the job's step summary (markdown). */
import fs from 'node:fs';
import { stripVTControlCharacters } from 'node:util';

export const onGitHubActions = () => process.env.GITHUB_ACTIONS === 'true';

/** A workflow command's message, escaped as the runner expects (%, CR, LF). */
const escape = (s: string) => stripVTControlCharacters(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** `::error title=…::message` on stderr (the runner reads workflow commands from both streams; stdout may carry JSON). */
export function annotateError(title: string, message: string): void {
  if (onGitHubActions()) process.stderr.write(`::error title=${escape(title).replace(/[:,]/g, ' ')}::${escape(message)}\n`);
}

/** Appends markdown to $GITHUB_STEP_SUMMARY when it is set; a failure to write is a warning, never lost work. */
export function appendStepSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    fs.appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n');
  } catch (e) {
    process.stderr.write(`warning: cannot append to GITHUB_STEP_SUMMARY (${file}): ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

const cell = (v: number | undefined) => (v === undefined ? '' : Number.isInteger(v) ? String(v) : String(+v.toPrecision(5)));

/** A markdown table of headline metrics with the matching baseline value beside each. */
export function metricsMarkdown(title: string, metrics: Record<string, number>, baselineOf: (metric: string) => number | undefined): string {
  const rows = Object.entries(metrics).filter(([k]) => !k.includes('/'));
  return [`### ${title}`, '', '| metric | value | baseline |', '|---|---:|---:|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} | ${cell(baselineOf(k))} |`), ''].join('\n');
}
