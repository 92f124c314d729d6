import type { Message } from '@dispute-room/shared';
import { describe, expect, it } from 'vitest';
import { lastOwnMessage, seenBy } from './receipts';

describe('seenBy', () => {
  it('lists readers at or past the entry, without the excluded', () => {
    expect(seenBy({ a: 5, b: 3, me: 9 }, 4, ['me'])).toEqual(['a']);
    expect(seenBy({ a: 5, b: 4 }, 4, [])).toEqual(['a', 'b']);
    expect(seenBy(undefined, 1, [])).toEqual([]);
  });
});

describe('lastOwnMessage', () => {
  it('finds the newest own entry', () => {
    const m = (seq: number, authorId: string, kind: Message['kind'] = 'text') =>
      ({ seq, authorId, kind }) as Message;
    expect(lastOwnMessage([m(1, 'me'), m(2, 'me'), m(3, 'x'), m(4, 'me', 'edit')], 'me')?.seq).toBe(
      2,
    );
    expect(lastOwnMessage([m(1, 'x')], 'me')).toBeNull();
  });
});
