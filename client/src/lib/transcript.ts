import { channels, type Channel, type Message, type Transcript } from '@dispute-room/shared';
import { t } from '../i18n';
import { staffChannelLabel } from './channels';

type Chain = Transcript['chain'];

const channelRank = (channel: Channel) => {
  const i = channels.indexOf(channel);
  return i === -1 ? channels.length : i;
};

/**
 * Every channel's log merged into one timeline by time. Each channel keeps its own seq
 * order whatever the clocks say (a k-way merge of the per-channel logs); entries at the
 * same instant come in the fixed channel order, so the result never depends on input order.
 */
export function interleaveByTime(messages: readonly Message[]): Message[] {
  const logs = new Map<Channel, Message[]>();
  for (const m of messages) {
    const log = logs.get(m.channel);
    if (log) log.push(m);
    else logs.set(m.channel, [m]);
  }
  const heads = [...logs.entries()]
    .sort(([a], [b]) => channelRank(a) - channelRank(b) || a.localeCompare(b))
    .map(([, log]) => ({ log: log.slice().sort((a, b) => a.seq - b.seq), next: 0 }));
  const out: Message[] = [];
  for (;;) {
    let best: { log: Message[]; next: number } | null = null;
    let bestAt = Infinity;
    for (const head of heads) {
      const m = head.log[head.next];
      if (!m) continue;
      const at = Date.parse(m.createdAt);
      const key = Number.isNaN(at) ? -Infinity : at;
      if (best === null || key < bestAt) {
        best = head;
        bestAt = key;
      }
    }
    if (!best) return out;
    out.push(best.log[best.next] as Message);
    best.next += 1;
  }
}

/** The `edit` entries of each edited entry, by the edited entry's id, oldest first. */
export function editsByOriginal(messages: readonly Message[]): Map<string, Message[]> {
  const edits = new Map<string, Message[]>();
  for (const m of messages) {
    if (m.kind !== 'edit' || !m.editOf) continue;
    const list = edits.get(m.editOf);
    if (list) list.push(m);
    else edits.set(m.editOf, [m]);
  }
  for (const list of edits.values()) list.sort((a, b) => a.seq - b.seq);
  return edits;
}

/** Where each broken channel's chain first fails: entries from there on are unverified. */
export function brokenFrom(chain: Chain): Partial<Record<Channel, number>> {
  const from: Partial<Record<Channel, number>> = {};
  for (const { channel, seq } of chain.broken) {
    const known = from[channel];
    from[channel] = known === undefined ? seq : Math.min(known, seq);
  }
  return from;
}

export interface ChainStatus {
  verified: boolean;
  /** "Verified", or "Broken: Joint at seq 4; Internal notes at seq 2". */
  label: string;
  detail: string;
}

/** The hash-chain check of a transcript in words. */
export function describeChain(chain: Chain): ChainStatus {
  if (chain.verified && chain.broken.length === 0) {
    return {
      verified: true,
      label: t('chain.verified'),
      detail: t('chain.verifiedDetail'),
    };
  }
  const places = Object.entries(brokenFrom(chain))
    .sort(([a], [b]) => channelRank(a as Channel) - channelRank(b as Channel))
    .map(([channel, seq]) =>
      t('chain.place', { channel: staffChannelLabel(channel as Channel), seq }),
    );
  return {
    verified: false,
    label:
      places.length > 0 ? t('chain.brokenAt', { places: places.join('; ') }) : t('chain.broken'),
    detail: t('chain.brokenDetail'),
  };
}

/** "proposal_accepted" → "Proposal accepted". */
export function humanizeType(type: string): string {
  const words = type
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_:.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Event';
}

export interface AuditFormatters {
  nameOf: (userId: string) => string;
  money: (cents: number) => string;
  time: (iso: string) => string;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * The extra facts of an audit entry as "label: value" lines: people by name, cents as
 * money, instants in the viewer's zone. Empty values are left out.
 */
export function auditDetails(data: Record<string, unknown>, f: AuditFormatters): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined || value === '') continue;
    let label = key;
    let text: string;
    if (/Id$/.test(key) && key !== 'proposalId' && typeof value === 'string') {
      label = key.replace(/Id$/, '');
      text = f.nameOf(value);
    } else if (/Cents$/.test(key) && typeof value === 'number') {
      label = key.replace(/Cents$/, '');
      text = f.money(value);
    } else if (typeof value === 'boolean') {
      text = value ? t('common.yes') : t('common.no');
    } else if (typeof value === 'string') {
      text = ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) ? f.time(value) : value;
    } else if (typeof value === 'number') {
      text = String(value);
    } else {
      text = JSON.stringify(value);
    }
    lines.push(`${humanizeType(label)}: ${text}`);
  }
  return lines;
}
