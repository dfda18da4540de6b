import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ParserChild, type ParseOutcome } from '../../src/processor/parser-child.ts';

const dagSource = (id: string) => `import { dag, EmptyOperator } from 'baton';\nexport const d = dag({ id: '${id}' }, () => { new EmptyOperator({ taskId: 't' }); });\n`;

function dagIds(outcome: ParseOutcome): string[] {
  assert.equal(outcome.kind, 'result');
  return outcome.kind === 'result' ? outcome.result.dags.map((d) => d.dagId) : [];
}

test('one warm child parses many files and re-reads a file that changed', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-child-'));
  const child = await ParserChild.start();
  try {
    assert.ok(child.startupMs > 0);
    const file = join(root, 'changing.ts');
    await writeFile(file, dagSource('before'));
    await writeFile(join(root, 'other.ts'), dagSource('other'));
    assert.deepEqual(dagIds(await child.parse(file, 10_000)), ['before']);
    assert.deepEqual(dagIds(await child.parse(join(root, 'other.ts'), 10_000)), ['other']);
    await writeFile(file, dagSource('after'));
    const later = new Date(Date.now() + 5_000);
    await utimes(file, later, later);
    assert.deepEqual(dagIds(await child.parse(file, 10_000)), ['after']);
    assert.equal(child.alive, true);
  } finally {
    await child.close();
    await rm(root, { recursive: true, force: true });
  }
  assert.equal(child.alive, false);
});

test('a hang kills the child; a crash reports the exit code and the tail of stderr', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-child-'));
  try {
    await writeFile(join(root, 'hang.ts'), 'while (true) {}\n');
    await writeFile(join(root, 'crash.ts'), "process.stderr.write('giving up now\\n');\nprocess.exit(4);\n");
    const hanging = await ParserChild.start();
    const started = Date.now();
    assert.deepEqual(await hanging.parse(join(root, 'hang.ts'), 800), { kind: 'timeout', timeoutMs: 800 });
    assert.ok(Date.now() - started < 5_000);
    assert.equal(hanging.alive, false);
    await hanging.close();

    const crashing = await ParserChild.start();
    const outcome = await crashing.parse(join(root, 'crash.ts'), 10_000);
    assert.deepEqual(outcome, { kind: 'exit', code: 4, signal: null, stderr: 'giving up now' });
    assert.equal(crashing.alive, false);
    assert.throws(() => crashing.parse(join(root, 'crash.ts'), 10_000), /has exited: start a fresh one/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a child stuck importing a file exits when the process that started it dies', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-child-'));
  try {
    await writeFile(join(root, 'hang.ts'), 'while (true) {}\n');
    const script = fileURLToPath(new URL('../fixtures/processor-parent/parse-and-hang.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', script, join(root, 'hang.ts')], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(Number(out.split('\n')[0]));
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited (code ${code}) before starting its child`)));
    });
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(alive(), 'the child runs');
    parent.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, 'the stuck child has exited');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
