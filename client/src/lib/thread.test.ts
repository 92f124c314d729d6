import type { Message } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import {
  afterMap,
  contiguousHead,
  lastSeq,
  leavesGap,
  mergeIntoChannels,
  mergeMessages,
  visibleMessages,
} from './thread';

function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    disputeId: 'd1',
    channel: 'joint',
    seq,
    kind: 'text',
    authorId: 'u1',
    authorRole: 'client',
    body: `body ${seq}`,
    originalBody: null,
    evidenceIds: [],
    proposalId: null,
    event: null,
    editOf: null,
    clientMsgId: null,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, seq)).toISOString(),
    editedAt: null,
    hash: 'h',
    prevHash: 'p',
    ...over,
  };
}

describe('mergeMessages', () => {
  it('orders by seq and drops duplicates', () => {
    const merged = mergeMessages([msg(1), msg(3)], [msg(2), msg(3), msg(1)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('returns the same array when nothing is new', () => {
    const current = [msg(1), msg(2)];
    expect(mergeMessages(current, [msg(2)])).toBe(current);
    expect(mergeMessages(current, [])).toBe(current);
  });

  it('applies an edit entry to the entry it edits', () => {
    const edit = msg(2, { kind: 'edit', editOf: 'm1', body: 'fixed' });
    const merged = mergeMessages([msg(1)], [edit]);
    expect(merged[0]?.body).toBe('fixed');
    expect(merged[0]?.editedAt).toBe(edit.createdAt);
    expect(merged[0]?.originalBody).toBe('body 1');
    expect(visibleMessages(merged).map((m) => m.seq)).toEqual([1]);
  });

  it('keeps a locally applied edit when an old copy of the entry comes back', () => {
    const edit = msg(2, { kind: 'edit', editOf: 'm1', body: 'fixed' });
    const edited = mergeMessages([msg(1)], [edit]);
    const again = mergeMessages(edited, [msg(1)]);
    expect(again[0]?.body).toBe('fixed');
  });

  it('does not roll an entry back to an older edit during backfill', () => {
    const first = msg(2, { kind: 'edit', editOf: 'm1', body: 'first' });
    const second = msg(3, { kind: 'edit', editOf: 'm1', body: 'second' });
    const latest = msg(1, { body: 'second', editedAt: second.createdAt });
    const merged = mergeMessages([latest], [first, second]);
    expect(merged[0]?.body).toBe('second');
  });
});

describe('mergeIntoChannels', () => {
  it('keeps each channel its own ordered log', () => {
    const merged = mergeIntoChannels({ joint: [msg(1)] }, [
      msg(1, { id: 'c1', channel: 'caucus:client' }),
      msg(2),
    ]);
    expect(merged.joint?.map((m) => m.seq)).toEqual([1, 2]);
    expect(merged['caucus:client']?.map((m) => m.id)).toEqual(['c1']);
  });

  it('keeps the same object when nothing changed', () => {
    const current = { joint: [msg(1)] };
    expect(mergeIntoChannels(current, [msg(1)])).toBe(current);
  });
});

describe('gaps and heads', () => {
  it('finds the contiguous head', () => {
    expect(contiguousHead([])).toBe(0);
    expect(contiguousHead([msg(1), msg(2), msg(4)])).toBe(2);
    expect(contiguousHead([msg(2)])).toBe(0);
  });

  it('detects an entry past a hole', () => {
    expect(leavesGap([msg(1), msg(2)], msg(3))).toBe(false);
    expect(leavesGap([msg(1), msg(2)], msg(2))).toBe(false);
    expect(leavesGap([msg(1), msg(2)], msg(4))).toBe(true);
    expect(leavesGap([], msg(1))).toBe(false);
  });

  it('builds the after map for every readable channel', () => {
    expect(afterMap({ joint: [msg(1), msg(2)] }, ['joint', 'caucus:client'])).toEqual({
      joint: 2,
      'caucus:client': 0,
    });
  });

  it('reads the last seq', () => {
    expect(lastSeq(undefined)).toBe(0);
    expect(lastSeq([msg(1), msg(5)])).toBe(5);
  });
});
