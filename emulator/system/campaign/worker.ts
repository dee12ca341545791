/** Worker-thread entry of a campaign: runs the fault indices it is given and posts their outcomes. */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { loadSystemFile } from '../config';
import { EpisodeRunner, type ReferenceRun } from './episode';
import { planFault } from './plan';
import type { CampaignSpec, FaultOutcome } from './types';

interface WorkerInput { readonly spec: CampaignSpec; readonly targets: string[]; readonly indices: number[]; readonly reference: ReferenceRun }

if (parentPort) {
  const port = parentPort;
  // Guest access faults reach the hypervisor as exceptions (BusError): without stack
  // traces a trap storm (a flipped stack pointer: ~10^5 faults) costs about 40 % less.
  Error.stackTraceLimit = 0;
  const { spec, targets, indices, reference } = workerData as WorkerInput;
  try {
    const config = loadSystemFile(spec.systemFile);
    // One machine per worker, restored from its checkpoints for every fault (docs/campaigns.md, "Throughput").
    const runner = new EpisodeRunner(config, spec.timing, reference);
    // Outcomes go out in batches: a message per fault was ~5 % of a worker's profile.
    let batch: FaultOutcome[] = [];
    let sent = performance.now();
    for (const i of indices) {
      batch.push(runner.run(planFault(spec, targets, i)));
      if (batch.length >= 64 || performance.now() - sent > 100) {
        port.postMessage({ outcomes: batch });
        batch = [];
        sent = performance.now();
      }
    }
    if (batch.length) port.postMessage({ outcomes: batch });
    port.postMessage({ done: true });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}
