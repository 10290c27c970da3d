import { createNodeEngineWithReport } from '../gpu/node-gpu.js';
import { useSubgroupKernels } from '../ops/subgroup.js';

/** `flowgpu doctor`: which backend works, the adapter, its features and limits. */
export async function run(): Promise<void> {
  const { engine, attempts } = await createNodeEngineWithReport();
  // The driver's own messages, which other commands show only with --verbose.
  const said = (log: string): string => log.trimEnd().split('\n').filter(Boolean).map((l) => `\n       driver: ${l}`).join('');
  const lines = attempts.map((a) => `  ${a.ok ? 'ok  ' : 'fail'} ${a.backend}: ${a.detail}${said(a.log)}`);
  const lim = engine.limits;
  const limits = [
    'maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'minStorageBufferOffsetAlignment',
  ] as const;
  process.stdout.write(
    `adapter: ${engine.adapterName}${engine.info.isFallback ? ' (software fallback)' : ''}\n` +
      `backends tried:\n${lines.join('\n')}\n` +
      `features: ${[...engine.device.features].sort().join(', ')}\n` +
      `kernels use: f16 ${engine.hasF16 ? 'available (--precision f16; f32 by default)' : 'absent'}, ` +
      `subgroups ${engine.subgroupSize ? `of ${engine.subgroupSize} (${useSubgroupKernels(engine) ? 'subgroup kernels' : 'register tiles'})` : engine.hasSubgroups ? 'of varying size (unused)' : 'no'}, ` +
      `timestamps ${engine.hasTimestamps ? 'yes' : 'no'}\n` +
      `limits:\n${limits.map((n) => `  ${n}: ${lim[n]}`).join('\n')}\n`,
  );
  engine.destroy();
}
