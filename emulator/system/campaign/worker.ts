/** Worker-thread entry of a campaign: runs the fault indices it is given and posts each outcome. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSystemFile } from '../config';
import { runEpisode, type ReferenceRun } from './episode';
import { planFault } from './plan';
import type { CampaignSpec } from './types';

interface WorkerInput { readonly spec: CampaignSpec; readonly targets: string[]; readonly indices: number[]; readonly reference: ReferenceRun }

if (parentPort) {
  const port = parentPort;
  const { spec, targets, indices, reference } = workerData as WorkerInput;
  try {
    const config = loadSystemFile(spec.systemFile);
    for (const i of indices) port.postMessage({ outcome: runEpisode(config, planFault(spec, targets, i), spec.timing, reference) });
    port.postMessage({ done: true });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
}
