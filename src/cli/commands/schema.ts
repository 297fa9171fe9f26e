import type { Command } from 'commander';
import { configReference, configReferenceMarkdown } from '../../config/reference.js';

export function schemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print every config key with its type, default and description')
    .argument('[prefix]', 'only keys starting with this, e.g. model or train')
    .option('--markdown', 'as a Markdown table')
    .addHelpText('after', '\nExamples:\n  $ seqnet schema train\n  $ seqnet schema --markdown > docs/config.md')
    .action((prefix: string | undefined, o: { markdown?: boolean }) => {
      if (o.markdown && !prefix) {
        process.stdout.write(configReferenceMarkdown() + '\n');
        return;
      }
      const rows = configReference().filter((r) => !prefix || r.key.startsWith(prefix));
      const w = Math.max(...rows.map((r) => r.key.length));
      for (const r of rows) process.stdout.write(`${r.key.padEnd(w)}  ${r.type}${r.default ? ` = ${r.default}` : ''}\n${' '.repeat(w + 2)}${r.description}\n`);
    });
}
