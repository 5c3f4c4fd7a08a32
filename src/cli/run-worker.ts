// SPDX-License-Identifier: GPL-2.0-only
/**
 * A worker thread of `run --compare-tuners` and `run --seeds` (run-pool.ts): it loads each run it
 * is given from the command's options, as the command loaded it, computes it and sends back its
 * facts and timeline lines. It writes nothing and prints nothing: the main thread does, in order.
 */
import { parentPort } from 'node:worker_threads';
import { SimulationLimitError } from '../damon/region.js';
import { computeRun, type FromWorker, type ToWorker } from './run-pool.js';
import { loadOne } from './run-load.js';
import { holdInputs, releaseInputs } from '../lib/inputs.js';

const port = parentPort;
if (port === null) throw new Error('run-worker.js: expected to run as a worker thread of damon-sim run');
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  void (async () => {
    const { index, job } = m;
    try {
      // From the files as the command first read them, not as they may be now.
      holdInputs(m.inputs);
      let loaded;
      try {
        loaded = loadOne(job.file, job.o, job.tuner);
      } finally {
        releaseInputs();
      }
      if (job.seed !== undefined) loaded.scenario.seed = job.seed;
      const run = await computeRun(loaded, job, (simNs, totalNs) => send({ type: 'progress', index, simNs, totalNs }));
      send({ type: 'done', index, run });
    } catch (e) {
      // The region limit is the run's own outcome; anything else the main thread meets again itself.
      send(e instanceof SimulationLimitError ? { type: 'limit', index, message: e.message } : { type: 'failed', index });
    }
  })();
});
send({ type: 'ready' });
