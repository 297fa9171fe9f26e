import type { Command } from 'commander';
import { Option } from 'commander';
import { baselineFor, checkAssertions, describeResult, parseAssertion } from '../../eval/assert.js';
import { evaluate } from '../../eval/evaluate.js';
import { checkWritable, evalReport, junitXml, writeReport } from '../../eval/report.js';
import { EXIT } from '../../util/errors.js';
import { addBackendOptions, startBackend } from '../backend.js';
import { CHECKPOINT_HELP, num, table } from '../format.js';
import { annotateError, appendStepSummary, metricsMarkdown } from '../github.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function evalCommand(program: Command): void {
  const cmd = program
    .command('eval')
    .description('score a trained run on its test split, its valid split, or another file; gate CI on the metrics')
    .argument('<run-dir>', 'run directory written by `seqnet train`')
    .addOption(new Option('--split <split>', 'which split of the run data').choices(['test', 'valid']).default('test'))
    .option('--data <file>', 'evaluate on this file instead (encoded with the run tokenizer)')
    .addOption(new Option('--checkpoint <which>', CHECKPOINT_HELP).default('best'))
    .option('--stateful', 'recurrent language model: also score the text as one stream, the state carried across windows')
    .option('--assert <gate>', 'fail (exit 1) unless METRIC OP VALUE holds, e.g. "accuracy>=0.85", "mae<=0.8*baseline" (repeatable)', collect, [])
    .option('--json', 'print one JSON object (for scripts and CI)')
    .option('--out <file>', 'also write that JSON object to this file')
    .option('--junit <file>', 'write a JUnit XML report: one test case per --assert, the metrics as properties');
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet eval runs/char-lstm
  $ seqnet eval runs/char-lstm --split valid --json
  $ seqnet eval runs/char-lstm --data data/other.txt
  $ seqnet eval runs/char-lstm --stateful
  $ seqnet eval runs/clf --assert "accuracy>=0.85" --assert "accuracy>=baseline+0.10" --junit report.xml
  $ seqnet eval runs/weather --assert "mae<=0.8*baseline" --out report.json

Exit codes: 0 every gate passed, 1 a gate failed, 2 a malformed gate or unknown metric (the message lists the metrics).
On GitHub Actions failed gates are also ::error:: annotations; with GITHUB_STEP_SUMMARY set, a metrics table is appended.`,
  );
  cmd.action(async (dir: string, o) => {
    // everything that can be wrong with the command line fails before the (slow) evaluation
    const gates = (o.assert as string[]).map(parseAssertion);
    if (o.out) checkWritable(o.out, '--out');
    if (o.junit) checkWritable(o.junit, '--junit');
    await startBackend(o);
    const r = await evaluate(dir, { split: o.split, file: o.data, checkpoint: o.checkpoint, stateful: o.stateful });
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    const results = checkAssertions(gates, r.metrics, r.baseline);
    const report = evalReport(r, o.data ? null : o.split, results);
    if (o.out) writeReport(o.out, JSON.stringify(report, null, 2) + '\n', '--out');
    if (o.junit) writeReport(o.junit, junitXml(report), '--junit');
    appendStepSummary(
      metricsMarkdown(`seqnet eval ${r.run} (${r.task}, ${r.on})`, r.metrics, (m) => baselineFor(r.baseline, m)) +
        (results.length ? '\n' + results.map((a) => `- ${a.passed ? '✅' : '❌'} ${describeResult(a).replace(/^(ok|FAIL)\s+/, '')}`).join('\n') + '\n' : ''),
    );
    if (o.json) process.stdout.write(JSON.stringify(report) + '\n');
    else {
      const rows: [string, string][] = Object.entries(r.metrics).map(([k, v]) => [k, num(v)]);
      if (r.baseline) rows.push(...Object.entries(r.baseline).map(([k, v]): [string, string] => [`baseline ${k}`, num(v)]));
      process.stdout.write(`${r.run} (${r.task}, ${r.checkpoint} checkpoint) on ${r.on}\n${table(rows)}\n`);
    }
    for (const a of results) {
      const line = describeResult(a);
      (o.json ? process.stderr : process.stdout).write(line + '\n');
      if (!a.passed) annotateError('seqnet eval', line.replace(/^FAIL /, 'failed: '));
    }
    if (!report.passed) {
      process.stderr.write(`${results.filter((a) => !a.passed).length} of ${results.length} assertion(s) failed\n`);
      process.exitCode = EXIT.assertion;
    }
  });
}
