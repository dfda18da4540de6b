/** Runs `store-racer.ts` in several processes at once and collects what each reported. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RACER = fileURLToPath(new URL('./store-racer.ts', import.meta.url));

export interface RacerReport {
  ok: boolean;
  won?: boolean;
  error?: string;
}

/** Starts `count` racer processes, waits until each has opened the database, then starts them together. */
export async function raceProcesses(count: number, url: string, args: string[]): Promise<RacerReport[]> {
  const racers = Array.from({ length: count }, () => startRacer(url, args));
  await Promise.all(racers.map((r) => r.ready));
  for (const r of racers) r.child.stdin!.write('go\n');
  return Promise.all(racers.map((r) => r.report));
}

function startRacer(url: string, args: string[]): { child: ChildProcess; ready: Promise<void>; report: Promise<RacerReport> } {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, url, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const report = new Promise<RacerReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (last.startsWith('{')) resolve(JSON.parse(last) as RacerReport);
      else reject(new Error(`Racer process exited with code ${code} without a report. stderr:\n${err}`));
    });
  });
  // A racer that dies before "ready" must not leave the race waiting forever.
  report.catch(() => {}).finally(markReady);
  return { child, ready, report };
}
