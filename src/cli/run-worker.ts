// SPDX-License-Identifier: GPL-2.0-only
/**
 * A worker thread of `run --compare-tuners` and `run --seeds` (run-pool.ts): it computes each run
 * it is given (the scenario the command loaded) and sends back its facts and timeline lines. It
 * writes nothing and prints nothing: the main thread does, in order.
 */
import { parentPort } from 'node:worker_threads';
import { SimulationLimitError } from '../damon/region.js';
import { computeRun, type FromWorker, type ToWorker } from './run-pool.js';

const port = parentPort;
if (port === null) throw new Error('run-worker.js: expected to run as a worker thread of damon-sim run');
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  void (async () => {
    const { index, job } = m;
    try {
      const run = await computeRun(job, (simNs, totalNs) => send({ type: 'progress', index, simNs, totalNs }));
      send({ type: 'done', index, run });
    } catch (e) {
      // The region limit is the run's own outcome; anything else the main thread meets again itself.
      send(e instanceof SimulationLimitError ? { type: 'limit', index, message: e.message } : { type: 'failed', index });
    }
  })();
});
send({ type: 'ready' });
