import { Schema, type Connection, type Model } from 'mongoose';
import type { WebhookEvent } from '@dispute-room/shared';

export interface ReviewDoc {
  _id: string;
  disputeId: string;
  reviewerId: string;
  score: number;
  notes: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDoc {
  _id: string;
  url: string;
  secret: string;
  events: WebhookEvent[];
  createdBy: string;
  createdAt: Date;
  /** Failed attempts since the last success; DISABLE_AFTER_FAILURES switches it off. */
  consecutiveFailures?: number;
  disabledAt?: Date | null;
}

export interface DeliveryDoc {
  /** `<webhookId>:<dispute event id>:<webhook event>`: one delivery per webhook and event. */
  _id: string;
  webhookId: string;
  event: WebhookEvent;
  disputeId: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attemptCount: number;
  /** Attempts allowed in all (WEBHOOK_MAX_ATTEMPTS, raised by an admin's retry). */
  attemptLimit?: number;
  createdAt: Date;
}

export interface AttemptDoc {
  /** `<deliveryId>#<n>`: whoever inserts it makes attempt n, so no attempt is made twice. */
  _id: string;
  deliveryId: string;
  n: number;
  at: Date;
  status: number | null;
  error: string | null;
  ms: number;
  /** Set with the result: an attempt without one was cut off, or is still in flight. */
  done?: boolean;
}

function model<T>(conn: Connection, name: string, schema: Schema<T>): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export function opsModels(conn: Connection) {
  return {
    reviews: model(
      conn,
      'Review',
      new Schema<ReviewDoc>(
        {
          _id: { type: String, required: true },
          disputeId: { type: String, required: true, index: true },
          reviewerId: { type: String, required: true },
          score: { type: Number, required: true },
          notes: { type: String, default: '' },
          createdAt: { type: Date, required: true },
          updatedAt: { type: Date, required: true },
        },
        { versionKey: false, collection: 'reviews' },
      ),
    ),
    webhooks: model(
      conn,
      'Webhook',
      new Schema<WebhookDoc>(
        {
          _id: { type: String, required: true },
          url: { type: String, required: true },
          secret: { type: String, required: true },
          events: { type: [String], required: true },
          createdBy: { type: String, required: true },
          createdAt: { type: Date, required: true },
          consecutiveFailures: { type: Number, default: 0 },
          disabledAt: { type: Date, default: null },
        },
        { versionKey: false, collection: 'webhooks' },
      ),
    ),
    deliveries: model(
      conn,
      'WebhookDelivery',
      new Schema<DeliveryDoc>(
        {
          _id: { type: String, required: true },
          webhookId: { type: String, required: true, index: true },
          event: { type: String, required: true },
          disputeId: { type: String, required: true },
          payload: { type: String, required: true },
          status: { type: String, required: true, index: true },
          attemptCount: { type: Number, required: true },
          attemptLimit: { type: Number },
          createdAt: { type: Date, required: true },
        },
        { versionKey: false, collection: 'webhook_deliveries' },
      ),
    ),
    attempts: model(
      conn,
      'WebhookAttempt',
      new Schema<AttemptDoc>(
        {
          _id: { type: String, required: true },
          deliveryId: { type: String, required: true, index: true },
          n: { type: Number, required: true },
          at: { type: Date, required: true },
          status: { type: Number, default: null },
          error: { type: String, default: null },
          ms: { type: Number, required: true },
          done: { type: Boolean },
        },
        { versionKey: false, collection: 'webhook_attempts' },
      ),
    ),
  };
}
