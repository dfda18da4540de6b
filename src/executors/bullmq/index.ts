/** Distributed mode: tries dispatched through BullMQ on Redis to `baton worker` processes on any machine. */
export { BullMQExecutor, type BullMQExecutorOptions, type TryJobData } from './bullmq-executor.ts';
export { BatonWorker, type BatonWorkerOptions } from './baton-worker.ts';
export { jobIdOf, queueNameProblem, tryOfJobId, QUEUE_PREFIX } from './job-ids.ts';
export { maskRedisUrl } from './redis-connection.ts';
