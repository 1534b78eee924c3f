/**
 * The load benchmark's sampler, run as a process of its own by startSamplerProcess: it samples until the
 * bench sends `stop`, answers with what it saw and exits. It also exits when the bench is gone.
 */
import { stackProcesses, startSampling, type SampledStack } from './processes.js';

const stack = JSON.parse(process.argv[2] ?? '{}') as SampledStack;
const sampling = startSampling(stackProcesses(stack), stack.adminDatabaseUrl);
process.once('message', () => {
  void sampling.stop().then((result) => process.send?.(result, () => process.exit(0)));
});
process.once('disconnect', () => process.exit(0));
