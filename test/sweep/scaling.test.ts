/** docs/scaling/*.yml: each file parses, runs the same sweep, and its trial count matches `seqnet sweep --list`. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/cli.js';

const root = path.resolve(import.meta.dirname, '../..');
const file = (f: string) => fs.readFileSync(path.join(root, 'docs/scaling', f), 'utf8');

/** the trials `seqnet sweep <args> --list --json` prints, run from the repository root as the files do */
async function list(args: string[]): Promise<{ index: number; name: string }[]> {
  const [config, ...rest] = args;
  const r = await runCli('sweep', path.join(root, config), ...rest, '--list', '--json');
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

const gh = parse(file('github-actions.yml'));
const sweepArgs = (gh.env.SWEEP as string).split(/\s+/);

describe('docs/scaling', () => {
  it('GitHub Actions: plan → fromJSON matrix → one trial per job → gather into the step summary', async () => {
    const trials = await list(sweepArgs);
    expect(trials).toHaveLength(4);
    const run = (job: string) => (gh.jobs[job].steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
    expect(run('plan')).toContain('npx seqnet sweep $SWEEP --list --json');
    expect(gh.jobs.plan.outputs.trials).toBe('${{ steps.list.outputs.trials }}');
    expect(gh.jobs.train.strategy.matrix.trial).toBe('${{ fromJSON(needs.plan.outputs.trials) }}');
    expect(run('train')).toContain('npx seqnet sweep $SWEEP --trial ${{ matrix.trial.index }} --out sweep');
    const upload = gh.jobs.train.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload.with.path).toBe('sweep/${{ matrix.trial.name }}');
    expect(gh.jobs.gather.needs).toBe('train');
    expect(run('gather')).toContain('npx seqnet sweep --gather trials --out trials --markdown >> "$GITHUB_STEP_SUMMARY"');
  });

  it('GitLab CI: parallel equals the number of trials', async () => {
    const gl = parse(file('gitlab-ci.yml'));
    expect(gl.variables.SWEEP).toBe(gh.env.SWEEP);
    expect(gl['sweep-trial'].parallel).toBe((await list(gl.variables.SWEEP.split(/\s+/))).length);
    expect(gl['sweep-trial'].script).toContain('npx seqnet sweep $SWEEP --out sweep');
    expect(gl['sweep-gather'].script).toContain('npx seqnet sweep --gather sweep --out sweep');
  });

  it('Kubernetes: an Indexed Job whose completions equal the number of trials, on a shared volume', async () => {
    const docs = parseAllDocuments(file('k8s-indexed-job.yml')).map((d) => d.toJS());
    const job = docs.find((d) => d.kind === 'Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const c = job.spec.template.spec.containers[0];
    expect(c.args[0]).toBe('sweep');
    const args = c.args.slice(1, c.args.indexOf('--out'));
    expect(args).toEqual(sweepArgs); // the same sweep as the CI files
    expect(job.spec.completions).toBe((await list(args)).length);
    expect(job.spec.parallelism).toBeLessThanOrEqual(job.spec.completions);
    expect(docs.find((d) => d.kind === 'PersistentVolumeClaim').spec.accessModes).toEqual(['ReadWriteMany']);
    const gather = parse(file('k8s-gather-job.yml')).spec.template.spec.containers[0].args;
    expect(gather).toEqual(['sweep', '--gather', c.args[c.args.indexOf('--out') + 1], '--out', c.args[c.args.indexOf('--out') + 1]]);
  });
});
