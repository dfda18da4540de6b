/**
 * The same shapes as Baton's benchmark, as raw BullMQ flows on the local Redis, run by
 * `parallelism` worker processes (concurrency 1 each, like Baton's worker processes):
 *   chain100: a flow nested 100 deep (each job runs after the one below it completes)
 *   fan1000 : one job, then a flow of 1,000 children and a parent that runs after all of them
 * Times are from adding the first job to the last job's completion. BullMQ keeps no durable
 * run state beyond Redis (in-memory here), which is the point of comparison.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue, QueueEvents, type FlowJob } from 'bullmq';
import { Redis } from 'ioredis';

export interface PeerTimes {
  chain100: number[];
  fan1000: number[];
}

const WORKER = fileURLToPath(new URL('./bullmq-worker.ts', import.meta.url));
const NODE_TS = fileURLToPath(new URL('../../bin/node-ts.js', import.meta.url));

export async function runBullmqPeers(o: { redisUrl: string; parallelism: number; repeat: number }): Promise<PeerTimes> {
  const queueName = `baton-bench-peer-${randomBytes(4).toString('hex')}`;
  const connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const eventsConnection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const events = new QueueEvents(queueName, { connection: eventsConnection });
  const flows = new FlowProducer({ connection });
  const queue = new Queue(queueName, { connection });
  const workers: ChildProcess[] = [];
  try {
    await events.waitUntilReady();
    for (let i = 0; i < o.parallelism; i++) {
      const w = fork(NODE_TS, [WORKER, queueName, o.redisUrl], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      workers.push(w);
      await new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('exit', (code) => reject(new Error(`a BullMQ benchmark worker exited with code ${code}`)));
      });
    }
    const opts = { removeOnComplete: true, removeOnFail: true };
    let seq = 0;
    // Listens before adding: a job removed on completion cannot be asked about afterwards.
    const completed = (jobId: string) =>
      new Promise<void>((resolve, reject) => {
        const onDone = (e: { jobId: string }) => {
          if (e.jobId !== jobId) return;
          events.off('completed', onDone);
          events.off('failed', onFail);
          resolve();
        };
        const onFail = (e: { jobId: string; failedReason: string }) => {
          if (e.jobId === jobId) reject(new Error(`benchmark job ${jobId} failed: ${e.failedReason}`));
        };
        events.on('completed', onDone);
        events.on('failed', onFail);
      });
    const chain = async () => {
      const rootId = `chain-${seq++}`;
      let node: FlowJob = { name: 't', queueName, opts };
      for (let i = 1; i < 100; i++) node = { name: `t__${i}`, queueName, opts: i === 99 ? { ...opts, jobId: rootId } : opts, children: [node] };
      const done = completed(rootId);
      const t0 = performance.now();
      await flows.add(node);
      await done;
      return (performance.now() - t0) / 1000;
    };
    const fan = async () => {
      const startId = `start-${seq}`;
      const joinId = `join-${seq++}`;
      const started = completed(startId);
      const joined = completed(joinId);
      const t0 = performance.now();
      await queue.add('start', null, { ...opts, jobId: startId });
      await started;
      await flows.add({ name: 'join', queueName, opts: { ...opts, jobId: joinId }, children: Array.from({ length: 1000 }, (_, i) => ({ name: `t__${i}`, queueName, opts })) });
      await joined;
      return (performance.now() - t0) / 1000;
    };
    await chain(); // warm-up, as Baton's benchmark does
    await fan();
    const out: PeerTimes = { chain100: [], fan1000: [] };
    for (let i = 0; i < o.repeat; i++) out.chain100.push(await chain());
    for (let i = 0; i < o.repeat; i++) out.fan1000.push(await fan());
    return out;
  } finally {
    for (const w of workers) w.send('stop');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await queue.obliterate({ force: true }).catch(() => {});
    await Promise.all([flows.close(), queue.close(), events.close()]);
    connection.disconnect();
    eventsConnection.disconnect();
  }
}
