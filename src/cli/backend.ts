/** Shared --device/--kernels handling for commands that run models. */
import { Option, type Command } from 'commander';
import { initBackend, type BackendInfo, type Device, type KernelMode } from '../backend/index.js';

export function addBackendOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--device <device>', 'engine: auto (native TensorFlow if installed, else pure JS), cpu, or gpu (CUDA)')
        .choices(['auto', 'cpu', 'gpu'])
        .default('auto'),
    )
    .addOption(
      new Option('--kernels <mode>', "pure-JS path: seqnet's fast kernels, or tfjs' reference kernels for debugging")
        .choices(['fast', 'reference'])
        .default('fast'),
    );
}

export async function startBackend(o: { device: Device; kernels: KernelMode }): Promise<BackendInfo> {
  const info = await initBackend({ device: o.device, kernels: o.kernels });
  if (info.notice) process.stderr.write(info.notice + '\n');
  return info;
}
