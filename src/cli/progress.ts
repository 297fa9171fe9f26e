/**
 * Renders training events for a person, on stderr: a live bar with ETA and throughput on a
 * terminal (ora), plain lines every log_every steps in CI logs (stderr not a TTY, or CI=true),
 * nothing with --quiet (the command prints the final summary).
 */
import chalk from 'chalk';
import ora, { type Ora } from 'ora';
import type { TrainHooks } from '../train/events.js';
import { duration, num } from './format.js';

export type ProgressMode = 'tty' | 'plain' | 'quiet';

/** The mode for this process: quiet when asked, a live bar only on an interactive terminal outside CI. */
export function progressMode(quiet: boolean): ProgressMode {
  if (quiet) return 'quiet';
  const ci = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase());
  // a terminal that reports no width (some pseudo-terminals) gets plain lines: the live display needs its width
  return process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 && !ci ? 'tty' : 'plain';
}

export function bar(fraction: number, width = 20): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

const metricsLine = (m: Record<string, number> | null) =>
  m ? Object.entries(m).filter(([k]) => !k.includes('/') && k !== 'loss').map(([k, v]) => `${k} ${num(v)}`).join(' · ') : '';

export function progressHooks(m: ProgressMode): TrainHooks & { stop(): void } {
  let spinner: Ora | undefined;
  let shown = { pass: '', pct: -1 };
  const out = (line: string) => {
    if (m === 'quiet') return;
    if (spinner) spinner.clear();
    process.stderr.write(line + '\n');
    if (spinner) spinner.render();
  };
  return {
    onStart(e) {
      if (e.totalSteps === 0) {
        // one-pass baselines (n-gram counts, least squares) have no optimizer steps
        out(`model: ${num(e.params)} parameters · fitted in one pass`);
        return;
      }
      out(
        `model: ${num(e.params)} parameters · ${e.stepsPerEpoch} steps/epoch · ${e.totalSteps} steps` +
          (e.resumedFrom ? ` · resuming at step ${e.resumedFrom}` : ''),
      );
      if (m === 'tty') spinner = ora({ text: 'starting…', stream: process.stderr }).start();
    },
    onStep(e) {
      const line =
        `epoch ${e.epoch}/${e.epochs} · step ${e.epochStep}/${e.stepsPerEpoch} · loss ${e.loss.toFixed(4)} · ` +
        `lr ${e.learningRate.toPrecision(3)} · ${num(e.throughput, 0)} ${e.throughputUnit} · ETA ${duration(e.etaSeconds)}`;
      if (spinner) spinner.text = `${bar(e.step / e.totalSteps)} ${line}`;
      else out(`step ${e.step}/${e.totalSteps} · ${line}`);
    },
    onEval(e) {
      if (e.validLoss === null) return;
      const extra = metricsLine(e.validMetrics);
      out(`eval @ step ${e.step} · valid loss ${e.validLoss.toFixed(4)}${extra ? ` · ${extra}` : ''}${e.improved ? chalk.green(' (best)') : ''}`);
    },
    onEpoch(e) {
      out(`epoch ${e.epoch}/${e.epochs} done · train loss ${e.trainLoss.toFixed(4)} · ${duration(e.seconds)}`);
    },
    onData(e) {
      // one line per pass and every 10%, so a big corpus shows progress within a second or two
      if (e.totalBytes < 8e6) return;
      const pct = Math.floor((100 * e.bytes) / Math.max(1, e.totalBytes) / 10) * 10;
      if (e.pass === shown.pass && pct <= shown.pct) return;
      shown = { pass: e.pass, pct };
      out(`reading corpus (${e.pass}): ${pct}% of ${num(e.totalBytes / 1e6, 1)} MB`);
    },
    onWarning(m) {
      out(`${chalk.yellow('warning:')} ${m}`);
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
  };
}
