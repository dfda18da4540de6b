import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { skipTargets } from './skip-targets.ts';

type Shape = { taskId: string; downstream: string[]; groupId: string | null };

/** Tasks from `id: [downstream ids]`; a dotted id lives in the group named by its prefix. */
function shapes(edges: Record<string, string[]>): Shape[] {
  return Object.entries(edges).map(([taskId, downstream]) => ({
    taskId,
    downstream,
    groupId: taskId.includes('.') ? taskId.slice(0, taskId.lastIndexOf('.')) : null,
  }));
}

//        ┌─> left ──> left2 ─┐
// branch ┼─> right ─────────-┼─> join ──> end
//        └─> grp.a ─> grp.b ─┘
const BRANCHY = shapes({
  branch: ['left', 'right', 'grp.a'],
  left: ['left2'],
  left2: ['join'],
  right: ['join'],
  'grp.a': ['grp.b'],
  'grp.b': ['join'],
  join: ['end'],
  end: [],
});

describe('skipTargets', () => {
  const cases: Array<{ name: string; directive: Parameters<typeof skipTargets>[2]; skipped: string[] }> = [
    { name: 'follow one task skips the other direct downstream tasks only', directive: { kind: 'follow', taskIds: ['left'] }, skipped: ['right', 'grp.a'] },
    { name: 'follow several tasks skips the rest', directive: { kind: 'follow', taskIds: ['left', 'right'] }, skipped: ['grp.a'] },
    { name: 'follow a task group keeps its root tasks', directive: { kind: 'follow', taskIds: ['grp'] }, skipped: ['left', 'right'] },
    { name: 'follow nothing skips every direct downstream task', directive: { kind: 'follow', taskIds: [] }, skipped: ['left', 'right', 'grp.a'] },
    { name: 'skipDirect skips the direct downstream tasks only', directive: { kind: 'skipDirect' }, skipped: ['left', 'right', 'grp.a'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(skipTargets(BRANCHY, 'branch', c.directive).sort(), [...c.skipped].sort());
    });
  }

  test('skipAllDownstream skips every task reachable downstream, each once', () => {
    assert.deepEqual(skipTargets(BRANCHY, 'branch', { kind: 'skipAllDownstream' }).sort(), ['end', 'grp.a', 'grp.b', 'join', 'left', 'left2', 'right']);
    assert.deepEqual(skipTargets(BRANCHY, 'left2', { kind: 'skipAllDownstream' }).sort(), ['end', 'join']);
  });

  test('a direct downstream task that is also downstream of the followed task is not skipped (empty branch)', () => {
    // branch -> chosen -> join, and branch -> join directly.
    const t = shapes({ branch: ['chosen', 'other', 'join'], chosen: ['join'], other: [], join: [] });
    assert.deepEqual(skipTargets(t, 'branch', { kind: 'follow', taskIds: ['chosen'] }), ['other']);
  });

  test('following a task that is not directly downstream throws, naming it and the valid choices', () => {
    assert.throws(
      () => skipTargets(BRANCHY, 'branch', { kind: 'follow', taskIds: ['join'] }),
      (e: Error) => e.message.includes("'join'") && e.message.includes('not directly downstream') && e.message.includes('left, right, grp.a'),
    );
  });

  test('an unknown group or task id is rejected the same way', () => {
    assert.throws(() => skipTargets(BRANCHY, 'branch', { kind: 'follow', taskIds: ['nope'] }), /'nope', which is not directly downstream/);
  });

  test('a group id that is only a prefix of another group is not mistaken for it', () => {
    const t = shapes({ branch: ['grp2.a', 'x'], 'grp2.a': [], x: [] });
    assert.throws(() => skipTargets(t, 'branch', { kind: 'follow', taskIds: ['grp'] }), /not directly downstream/);
  });

  test('an unknown source task is an error', () => {
    assert.throws(() => skipTargets(BRANCHY, 'ghost', { kind: 'skipDirect' }), /unknown task 'ghost'/);
  });
});
