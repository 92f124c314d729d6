import { z } from 'zod';
import { idSchema } from './common.js';
import { channelSchema, type Channel } from './channels.js';
import type { ApiError } from './errors.js';
import type { Dispute } from './disputes.js';
import { clientMsgIdSchema, messageBodySchema, type Message } from './messages.js';
import type { Notification } from './notifications.js';

export const afterSchema = z.partialRecord(channelSchema, z.number().int().min(0));

export const joinPayloadSchema = z.strictObject({
  disputeId: idSchema,
  after: afterSchema.optional(),
});
export const leavePayloadSchema = z.strictObject({ disputeId: idSchema });
export const sendPayloadSchema = z.strictObject({
  disputeId: idSchema,
  channel: channelSchema,
  body: messageBodySchema,
  clientMsgId: clientMsgIdSchema,
  evidenceIds: z.array(idSchema).max(20).optional(),
});
export const typingPayloadSchema = z.strictObject({ disputeId: idSchema, channel: channelSchema });
export const readPayloadSchema = z.strictObject({
  disputeId: idSchema,
  channel: channelSchema,
  seq: z.number().int().min(0),
});

export type JoinPayload = z.infer<typeof joinPayloadSchema>;
export type SendPayload = z.infer<typeof sendPayloadSchema>;

export type Ack<T extends object = object> =
  | ({ ok: true } & T)
  | { ok: false; error: Pick<ApiError, 'code' | 'message'> & { details?: unknown } };

export interface JoinResult {
  dispute: Dispute;
  messages: Message[];
  hasMore: Partial<Record<Channel, boolean>>;
  presence: Record<string, boolean>;
  reads: Partial<Record<Channel, Record<string, number>>>;
  /** Names and roles of the client, freelancer and mediator. */
  participants: Record<string, { name: string; role: string }>;
}

export interface ClientToServerEvents {
  'dispute:join': (payload: JoinPayload, ack: (answer: Ack<JoinResult>) => void) => void;
  'dispute:leave': (payload: { disputeId: string }, ack: (answer: Ack) => void) => void;
  'message:send': (payload: SendPayload, ack: (answer: Ack<{ message: Message }>) => void) => void;
  typing: (payload: { disputeId: string; channel: Channel }, ack?: (answer: Ack) => void) => void;
  'message:read': (
    payload: { disputeId: string; channel: Channel; seq: number },
    ack?: (answer: Ack) => void,
  ) => void;
}

export interface ServerToClientEvents {
  'message:new': (payload: { message: Message }) => void;
  'dispute:updated': (payload: { dispute: Dispute }) => void;
  typing: (payload: { disputeId: string; channel: Channel; userId: string }) => void;
  read: (payload: { disputeId: string; channel: Channel; userId: string; seq: number }) => void;
  presence: (payload: { disputeId: string; userId: string; online: boolean }) => void;
  /** A notification for this socket's user (every socket of theirs, joined or not). */
  'notification:new': (payload: { notification: Notification }) => void;
  /** Sent after the server lost cross-instance fan-out for a while: re-join with `after`. */
  resync: (payload: { reason: string }) => void;
}
