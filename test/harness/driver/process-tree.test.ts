import { describe, expect, it } from 'vitest';
import type { ProcEntry } from '../../../harness/driver/proc-table.js';
import { ProcessTree } from '../../../harness/driver/process-tree.js';

// Pids above any kernel's pid_max, so /proc has nothing to say about them and
// the tree works only from the listings given here.
const ROOT = 9_000_000;
const p = (pid: number, ppid: number, extra: Partial<ProcEntry> = {}): ProcEntry => ({
  pid,
  ppid,
  pgrp: extra.pgrp ?? 1,
  session: extra.session ?? 1,
  state: extra.state ?? 'S',
  startTime: extra.startTime ?? 100,
});

describe('ProcessTree.absorb', () => {
  it('records the root group, descendants through parent links, and nothing else', () => {
    const tree = new ProcessTree(ROOT, 'tag');
    tree.absorb([
      p(ROOT, 1, { pgrp: ROOT, session: ROOT }),
      p(ROOT + 1, ROOT, { pgrp: ROOT, session: ROOT }),
      p(ROOT + 2, ROOT + 1, { pgrp: ROOT + 2, session: ROOT + 2, startTime: 101 }), // setsid grandchild
      p(ROOT + 3, ROOT + 2, { pgrp: ROOT + 2, session: ROOT + 2, startTime: 102 }),
      p(ROOT + 4, 1, { pgrp: ROOT, session: ROOT }), // reparented but still in the group
      p(ROOT + 5, 1), // unrelated
      p(ROOT + 6, ROOT, { state: 'Z' }), // zombie: holds nothing
    ]);
    expect(tree.recordedPids().sort()).toEqual([ROOT, ROOT + 1, ROOT + 2, ROOT + 3, ROOT + 4]);
  });

  it('keeps descendants found earlier after their parent died and they were reparented', () => {
    const tree = new ProcessTree(ROOT, 'tag');
    tree.absorb([p(ROOT, 1, { pgrp: ROOT, session: ROOT }), p(ROOT + 1, ROOT, { pgrp: ROOT + 1, session: ROOT + 1 })]);
    tree.absorb([p(ROOT + 1, 1, { pgrp: ROOT + 1, session: ROOT + 1 }), p(ROOT + 2, ROOT + 1, { pgrp: ROOT + 1, session: ROOT + 1, startTime: 300 })]);
    expect(tree.recordedPids().sort()).toEqual([ROOT, ROOT + 1, ROOT + 2]);
  });

  it('does not adopt a recycled pid or the children of one', () => {
    const tree = new ProcessTree(ROOT, 'tag');
    tree.absorb([p(ROOT, 1, { pgrp: ROOT, session: ROOT }), p(ROOT + 1, ROOT, { pgrp: ROOT + 1, session: ROOT + 1, startTime: 100 })]);
    tree.markRootReaped();
    tree.absorb([
      // ROOT + 1 died; its pid now belongs to someone else (other start time), who has a child.
      p(ROOT + 1, 1, { startTime: 900 }),
      p(ROOT + 7, ROOT + 1, { startTime: 901 }),
      // The root's pid was reused by a process that made itself a session leader.
      p(ROOT, 1, { pgrp: ROOT, session: ROOT, startTime: 950 }),
      p(ROOT + 8, ROOT, { pgrp: ROOT, session: ROOT, startTime: 951 }),
    ]);
    expect(tree.recordedPids().sort()).toEqual([ROOT, ROOT + 1]);
  });

  it('trusts the group id after the root died only while a known member holds it', () => {
    const tree = new ProcessTree(ROOT, 'tag');
    tree.absorb([p(ROOT, 1, { pgrp: ROOT, session: ROOT }), p(ROOT + 1, ROOT, { pgrp: ROOT, session: ROOT })]);
    tree.markRootReaped();
    tree.absorb([p(ROOT + 1, 1, { pgrp: ROOT, session: ROOT }), p(ROOT + 9, 1, { pgrp: ROOT, session: ROOT, startTime: 500 })]);
    expect(tree.recordedPids()).toContain(ROOT + 9);
  });
});
