import type { Command } from 'commander';
import { initBackend } from '../../backend/index.js';
import { SEQNET_VERSION } from '../../version.js';
import { addBackendOptions } from '../backend.js';
import { table } from '../format.js';

export function infoCommand(program: Command): void {
  const cmd = program.command('info').description('show the engine in use, versions, and why native TensorFlow is or is not available');
  addBackendOptions(cmd).addHelpText('after', '\nExample:\n  $ seqnet info');
  cmd.action(async (o) => {
    const b = await initBackend({ device: o.device, kernels: o.kernels });
    process.stdout.write(
      table([
        ['seqnet', SEQNET_VERSION],
        ['node', process.version],
        ['tfjs', b.tfjsVersion],
        ['backend', b.backend],
        ['engine', b.engine],
        ['kernels', b.kernels],
        ['kernel build', b.kernelBuild],
        ['native TensorFlow', b.nativeStatus],
      ]) + '\n',
    );
    if (!b.native) process.stdout.write('\nOptional: npm install @tensorflow/tfjs-node runs every op on native TensorFlow (its install downloads libtensorflow).\n');
  });
}
