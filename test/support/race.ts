/**
 * Separate processes (`store-racer.ts`) that act on one database at the same instant, to test
 * what happens when several Baton processes share a metadata database.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TaskInstanceKey } from '../../src/store/cas.ts';

const RACER = fileURLToPath(new URL('./store-racer.ts', import.meta.url));

export interface RacerReport {
  ok: boolean;
  won?: boolean;
  error?: string;
}

export type RacerCommand = { op: 'open'; url: string } | { op: 'migrate' } | { op: 'cas'; key: TaskInstanceKey } | { op: 'close' };

/** A group of racer processes. */
export interface Racers {
  /** Sends the command to every racer at once and returns each one's report. */
  all(command: RacerCommand): Promise<RacerReport[]>;
  /** Ends every racer process. */
  stop(): Promise<void>;
}

/** Starts `count` racer processes and resolves once all have loaded. */
export async function startRacers(count: number): Promise<Racers> {
  const racers = await Promise.all(Array.from({ length: count }, startRacer));
  return {
    all: (command) => Promise.all(racers.map((r) => r.send(command))),
    stop: async () => {
      await Promise.all(racers.map((r) => r.stop()));
    },
  };
}

interface Racer {
  send(command: RacerCommand): Promise<RacerReport>;
  stop(): Promise<void>;
}

function startRacer(): Promise<Racer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', RACER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.on('close', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`Racer process exited (code ${code}) before answering. stderr:\n${stderr}`));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.resolve(line));
  const nextLine = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  const racer: Racer = {
    send: async (command) => {
      const answer = nextLine();
      child.stdin!.write(`${JSON.stringify(command)}\n`);
      return JSON.parse(await answer) as RacerReport;
    },
    stop: async () => {
      child.stdin!.end();
      await exited;
    },
  };
  return nextLine().then(() => racer);
}
