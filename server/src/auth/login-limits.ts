import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Context } from '../context.js';
import { consume, createLimiter } from '../http/rate-limit.js';

const DAY_SEC = 86_400;

export interface LoginAttempt {
  /** The password was right: the attempt was no failure, and the pair starts from zero. */
  succeeded(): Promise<void>;
  /** No verdict (the database failed): the attempt counts for nothing. */
  abandoned(): Promise<void>;
}

/**
 * Login throttling after rate-limiter-flexible's "login endpoint protection": only failures
 * count, per (account, IP) for the fast limit, so whoever guesses at an account never locks
 * its owner out elsewhere, and per IP per day against slow guessing over many accounts.
 *
 * An attempt takes its points before the password is checked, so parallel guesses cannot
 * slip past a count read too early, and gives them back when it succeeds. A success clears
 * its pair but not its IP's day: an attacker's own account would otherwise reset it.
 */
export class LoginLimits {
  private readonly perPair: RateLimiterAbstract;
  private readonly perIp: RateLimiterAbstract;

  constructor(private readonly ctx: Context) {
    const { config } = ctx;
    this.perPair = createLimiter(
      ctx,
      'login-fail-account-ip',
      config.LOGIN_FAILURES_PER_ACCOUNT_IP,
      config.LOGIN_LIMIT_WINDOW_SEC,
    );
    this.perIp = createLimiter(
      ctx,
      'login-fail-ip-day',
      config.LOGIN_FAILURES_PER_IP_PER_DAY,
      DAY_SEC,
    );
  }

  /** Counts the attempt as a failure until told otherwise; 429 when its pair or IP is spent. */
  async admit(email: string, ip: string): Promise<LoginAttempt> {
    // Neither an IP nor a normalised email contains a space.
    const pair = `${ip} ${email}`;
    await consume(this.perIp, ip);
    try {
      await consume(this.perPair, pair);
    } catch (err) {
      await this.settle(this.perIp.reward(ip, 1));
      throw err;
    }
    return {
      succeeded: () => this.settle(this.perPair.delete(pair), this.perIp.reward(ip, 1)),
      abandoned: () => this.settle(this.perPair.reward(pair, 1), this.perIp.reward(ip, 1)),
    };
  }

  /** Giving points back is a courtesy: a store that fails it must not fail the login. */
  private async settle(...writes: Promise<unknown>[]): Promise<void> {
    for (const result of await Promise.allSettled(writes)) {
      if (result.status === 'rejected')
        this.ctx.log.warn({ err: result.reason }, 'could not update a login limit');
    }
  }
}
