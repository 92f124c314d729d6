import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a reply address works after its mail was made. */
export const REPLY_TOKEN_DAYS = 30;
const MAC_HEX = 20;

/**
 * The token of `reply+<token>@REPLY_DOMAIN`: the notification it answers (which names the
 * recipient, the dispute and the channel) and an HMAC of it. Lower-case hex and digits only,
 * so mail systems that fold the case of local parts keep it, and short enough for one
 * (64 octets with `reply+`).
 */
export class ReplyTokens {
  constructor(private readonly secret: string) {}

  private mac(notificationId: string): string {
    return createHmac('sha256', `reply-token:${this.secret}`)
      .update(notificationId)
      .digest('hex')
      .slice(0, MAC_HEX);
  }

  sign(notificationId: string): string {
    const [userId, seq] = notificationId.split('_');
    return `${userId}-${Number(seq).toString(36)}-${this.mac(notificationId)}`;
  }

  /** The notification a token names, or null when it was not made by us. */
  verify(token: string): string | null {
    const m = /^([a-f0-9]{24})-([a-z0-9]{1,11})-([a-f0-9]{20})$/.exec(token.toLowerCase());
    if (!m) return null;
    const id = `${m[1]}_${parseInt(m[2]!, 36)}`;
    const expected = Buffer.from(this.mac(id));
    const given = Buffer.from(m[3]!);
    return timingSafeEqual(expected, given) ? id : null;
  }
}
