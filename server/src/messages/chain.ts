import { createHash } from 'node:crypto';
import type { MessageDoc } from './model.js';
import { canonicalEntry, GENESIS_HASH, type ChainEntry, type Channel } from '@dispute-room/shared';

/** hash = sha256hex(prevHash + "\n" + canonical), exactly as the API contract defines it. */
export function chainHash(prevHash: string, entry: ChainEntry): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalEntry(entry)}`)
    .digest('hex');
}

export interface StoredEntry extends ChainEntry {
  hash: string;
  prevHash: string;
}

/** What the chain covers of a stored message: its own text (not a later edit's). */
export function chainEntryOf(m: MessageDoc): StoredEntry {
  return {
    disputeId: m.disputeId,
    channel: m.channel,
    seq: m.seq,
    kind: m.kind,
    authorId: m.authorId,
    body: m.text,
    evidenceSha256: m.evidenceSha256,
    proposalId: m.proposalId,
    event: m.event,
    editOf: m.editOf,
    createdAt: new Date(m.createdAt).toISOString(),
    hash: m.hash,
    prevHash: m.prevHash,
  };
}

export interface ChainCheck {
  channel: Channel;
  verified: boolean;
  /** First seq where the chain breaks (altered, missing or reordered entry). */
  brokenAt: number | null;
  entries: number;
}

/** Verifies one channel's entries, given in seq order; reports the first broken seq. */
export function verifyChain(channel: Channel, entries: StoredEntry[]): ChainCheck {
  let prev = GENESIS_HASH;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq || e.prevHash !== prev || chainHash(prev, e) !== e.hash) {
      return {
        channel,
        verified: false,
        brokenAt: Math.min(e.seq, expectedSeq),
        entries: entries.length,
      };
    }
    prev = e.hash;
  }
  return { channel, verified: true, brokenAt: null, entries: entries.length };
}
