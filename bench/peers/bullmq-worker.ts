/**
 * A raw BullMQ worker process for the peer benchmark: consumes the queue named by argv[2] with
 * concurrency 1 and a no-op processor (the same work as Baton's benchmark tasks).
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [, , queue, redisUrl] = process.argv;
const connection = new Redis(redisUrl!, { maxRetriesPerRequest: null });
const worker = new Worker(queue!, async () => null, { connection, concurrency: 1 });
await worker.waitUntilReady();
process.send!('ready');
process.on('message', async (m) => {
  if (m === 'stop') {
    await worker.close();
    connection.disconnect();
    process.exit(0);
  }
});
