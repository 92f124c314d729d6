import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Message } from '@dispute-room/shared';
import { MessageItem } from './MessageItem';

const message = (body: string): Message => ({
  id: 'd1_j_1',
  disputeId: 'd1',
  channel: 'joint',
  seq: 1,
  kind: 'text',
  authorId: 'u1',
  authorRole: 'client',
  body,
  originalBody: null,
  evidenceIds: [],
  proposalId: null,
  event: null,
  editOf: null,
  clientMsgId: 'c1',
  createdAt: '2026-05-04T10:00:00.000Z',
  editedAt: null,
  hash: 'h',
  prevHash: 'p',
});

const render = (body: string, author: string, seenBy: string[] | null = null) =>
  renderToStaticMarkup(
    createElement(MessageItem, {
      message: message(body),
      grouped: false,
      zone: 'UTC',
      nameOf: () => author,
      mine: false,
      seenBy,
    }),
  );

describe('a message in the thread', () => {
  it('isolates its body (dir=auto) and its author (<bdi>), keeping the body’s characters', () => {
    const body = 'I agree to \u202Ednuf\u202C the refund';
    const html = render(body, 'Ada \u202EnimdA');
    expect(html).toMatch(
      /<div class="message-body" dir="auto"><span>I agree to \u202Ednuf\u202C the refund<\/span><\/div>/,
    );
    expect(html).toContain('<span class="author role-client"><bdi>Ada \u202EnimdA</bdi></span>');
  });

  it('isolates each name it was seen by', () => {
    const html = render('hello', 'Carla', ['דנה', 'Fred']);
    expect(html).toContain('Seen by <bdi>דנה</bdi>, <bdi>Fred</bdi>');
  });
});
