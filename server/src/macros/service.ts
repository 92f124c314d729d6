import { Schema, type Model } from 'mongoose';
import {
  createMacroBodySchema,
  macroPlaceholders,
  membersOf,
  updateMacroBodySchema,
  type Macro,
  type MacroPlaceholder,
  type User,
} from '@dispute-room/shared';
import { assertMay, requireRole } from '../auth/policy.js';
import type { Context } from '../context.js';
import { newId } from '../db/ids.js';
import type { DisputeDoc } from '../disputes/model.js';
import type { DisputeService } from '../disputes/service.js';
import { notFound, parse } from '../http/errors.js';
import type { UserService } from '../users/service.js';

interface MacroDoc {
  _id: string;
  ownerId: string;
  title: string;
  body: string;
  createdAt: Date;
}

const macroSchema = new Schema<MacroDoc>(
  {
    _id: { type: String, required: true },
    ownerId: { type: String, required: true, index: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'macros' },
);

const toMacro = (d: MacroDoc): Macro => ({ id: d._id, title: d.title, body: d.body });

/** Dates in a macro are written for everyone in the room: absolute, in UTC. */
const neutralDate = (date: Date | null) =>
  date
    ? `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`
    : 'not set';

/** Mediators' canned replies, rendered with a dispute's facts before sending. */
export class MacroService {
  private readonly model: Model<MacroDoc>;

  constructor(
    ctx: Context,
    private readonly deps: { disputes: DisputeService; users: UserService },
  ) {
    this.model =
      (ctx.conn.models.Macro as Model<MacroDoc> | undefined) ??
      ctx.conn.model<MacroDoc>('Macro', macroSchema);
  }

  private async own(user: User, id: string): Promise<MacroDoc> {
    requireRole(user, 'mediator');
    const doc = await this.model.findById(id).lean<MacroDoc>();
    if (!doc || doc.ownerId !== user.id) throw notFound('macro');
    return doc;
  }

  async list(user: User): Promise<Macro[]> {
    requireRole(user, 'mediator');
    const docs = await this.model.find({ ownerId: user.id }).sort({ title: 1 }).lean<MacroDoc[]>();
    return docs.map(toMacro);
  }

  async create(user: User, body: unknown): Promise<Macro> {
    requireRole(user, 'mediator');
    const input = parse(createMacroBodySchema, body);
    const doc: MacroDoc = { _id: newId(), ownerId: user.id, ...input, createdAt: new Date() };
    await this.model.create(doc);
    return toMacro(doc);
  }

  async update(user: User, id: string, body: unknown): Promise<Macro> {
    const doc = await this.own(user, id);
    const input = parse(updateMacroBodySchema, body);
    const next = { ...doc, ...input };
    await this.model.updateOne({ _id: id }, { $set: { title: next.title, body: next.body } });
    return toMacro(next);
  }

  async remove(user: User, id: string): Promise<void> {
    await this.own(user, id);
    await this.model.deleteOne({ _id: id });
  }

  async render(user: User, disputeId: string, macroId: string): Promise<string> {
    const { dispute, relation } = await this.deps.disputes.visible(user, disputeId);
    const macro = await this.own(user, macroId);
    assertMay('render_macro', user, relation, dispute);
    return renderMacro(macro.body, await this.facts(dispute));
  }

  private async facts(d: DisputeDoc): Promise<Record<MacroPlaceholder, string>> {
    const people = await this.deps.users.byIds(membersOf(d));
    const name = (id: string | null) => people.find((p) => p.id === id)?.name ?? 'unassigned';
    return {
      'client.name': name(d.clientId),
      'freelancer.name': name(d.freelancerId),
      'mediator.name': name(d.mediatorId),
      'dispute.number': d.number,
      respondBy: neutralDate(d.respondBy),
      mediationEndsBy: neutralDate(d.mediationEndsBy),
    };
  }
}

const documented: ReadonlySet<string> = new Set(macroPlaceholders);

/**
 * Replaces the documented `{{placeholders}}`; any other name stays visible so the mediator
 * notices. Only that list resolves: a lookup by arbitrary name would also find the facts
 * object's inherited properties (`{{constructor}}`).
 */
export function renderMacro(body: string, facts: Record<MacroPlaceholder, string>): string {
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) =>
    documented.has(key) ? facts[key as MacroPlaceholder] : whole,
  );
}
