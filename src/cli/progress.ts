/**
 * Renders training events: a live status line on a terminal (ora), plain lines elsewhere (CI logs).
 */
import chalk from 'chalk';
import ora, { type Ora } from 'ora';
import type { TrainHooks } from '../train/events.js';
import { duration, num } from './format.js';

export function progressHooks(quiet: boolean): TrainHooks & { stop(): void } {
  const tty = process.stderr.isTTY && !quiet;
  let spinner: Ora | undefined;
  let shown = { pass: '', pct: -1 };
  const out = (line: string) => {
    if (quiet) return;
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
      if (tty) spinner = ora({ text: 'starting…', stream: process.stderr }).start();
    },
    onStep(e) {
      const line =
        `epoch ${e.epoch}/${e.epochs} · step ${e.epochStep}/${e.stepsPerEpoch} · loss ${e.loss.toFixed(4)} · ` +
        `${num(e.throughput, 0)} ${e.throughputUnit} · ETA ${duration(e.etaSeconds)}`;
      if (spinner) spinner.text = line;
      else out(line);
    },
    onEpoch(e) {
      const v = e.validLoss === null ? '' : ` · valid loss ${e.validLoss.toFixed(4)}${e.improved ? chalk.green(' (best)') : ''}`;
      out(`epoch ${e.epoch}/${e.epochs} done · train loss ${e.trainLoss.toFixed(4)}${v} · ${duration(e.seconds)}`);
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
