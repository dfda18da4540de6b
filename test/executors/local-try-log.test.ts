import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TryLog } from '../../src/executors/local/try-log.ts';
import { logsDir } from './helpers.ts';

const LINE = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] (DEBUG|INFO|WARNING|ERROR|STDOUT|STDERR) - /;

describe('try log', () => {
  test('creates missing folders and writes one timestamped line per logger call, formatting extra arguments', () => {
    const path = join(logsDir(), 'a', 'b', 'attempt=1.log');
    const log = TryLog.open(path);
    log.debug('d');
    log.info('n=%d', 5);
    log.warn('w');
    log.error('e %s', 'x');
    log.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(LINE, '$1 - ')), ['DEBUG - d', 'INFO - n=5', 'WARNING - w', 'ERROR - e x']);
  });

  test('captures stdout and stderr line by line (an unterminated line at close) and gives the streams back afterwards', () => {
    const path = join(logsDir(), 'capture.log');
    const originalOut = process.stdout.write;
    const originalErr = process.stderr.write;
    const log = TryLog.open(path);
    log.captureStdio();
    process.stdout.write('one\ntw');
    process.stdout.write(Buffer.from('o\nthree'));
    process.stderr.write('oops\n');
    log.close();
    assert.equal(process.stdout.write, originalOut);
    assert.equal(process.stderr.write, originalErr);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(LINE, '$1 - ')), ['STDOUT - one', 'STDOUT - two', 'STDERR - oops', 'STDOUT - three']);
  });

  test('appends to an existing log, and writing after close is a no-op', () => {
    const path = join(logsDir(), 'append.log');
    const first = TryLog.open(path);
    first.info('first');
    first.close();
    first.info('ignored');
    first.close();
    const second = TryLog.open(path);
    second.info('second');
    second.close();
    assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.replace(LINE, '')), ['first', 'second']);
  });
});
