import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../http/errors.js';
import { repoRoot } from '../paths.js';

// OWASP's argon2id baseline (19 MiB, 2 passes); @node-rs/argon2 ships prebuilt binaries.
const options = {
  algorithm: 2 /* Argon2id (a const enum in the typings) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/** A real hash to verify against when the account does not exist, so timing tells nothing. */
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(
  storedHash: string | null,
  password: string,
): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword('not-a-real-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}

/**
 * zxcvbn's scale: 3 is "safely unguessable" (under 10^10 guesses it is not found), enough
 * against an offline attack on a slow hash such as argon2id; 0–2 fall to common-password
 * lists, names, dates and keyboard walks.
 */
export const MIN_PASSWORD_SCORE = 3;

/** Words of this product that a password built on it would lean on. */
const siteWords = ['dispute', 'room', 'dispute room', 'disputeroom', 'mediation'];

interface Estimate {
  score: number;
  warning: string | null;
  suggestions: string[];
}

interface Pending {
  resolve(estimate: Estimate): void;
  reject(err: Error): void;
}

/** The estimator's thread: one per process, started at the first check. */
class StrengthEstimator {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  estimate(password: string, userInputs: string[]): Promise<Estimate> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    // Referenced only while it has work, so it never keeps a finished process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, userInputs });
    });
  }

  private start(): Worker {
    const worker = new Worker(join(repoRoot(), 'server/src/auth/password-strength.worker.mjs'));
    worker.on('message', (m: Estimate & { id: number; error?: string }) => {
      const pending = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.error === undefined) pending?.resolve(m);
      else pending?.reject(new Error(`password estimator: ${m.error}`));
    });
    // A thread that dies fails what it was asked; the next check starts a new one.
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const pending of this.pending.values()) pending.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password estimator exited with ${code}`)));
    return worker;
  }
}

const estimator = new StrengthEstimator();

/**
 * Why a password is too easy to guess, in zxcvbn's words, or null when it is strong enough.
 * `personal` holds what an attacker knows of its owner (email, name).
 */
export async function passwordWeakness(
  password: string,
  personal: string[],
): Promise<string | null> {
  const words = personal.flatMap((p) => [p, ...p.split(/[^\p{L}\p{N}]+/u)]).filter(Boolean);
  const { score, warning, suggestions } = await estimator.estimate(password, [
    ...new Set([...words, ...siteWords]),
  ]);
  if (score >= MIN_PASSWORD_SCORE) return null;
  const why = [warning, ...suggestions].filter(Boolean).join(' ');
  return `too easy to guess (strength ${score} of 4, at least ${MIN_PASSWORD_SCORE} needed)${why ? `: ${why}` : ''}`;
}

/** 400 `validation_failed` at `password`, saying why, unless the password is strong enough. */
export async function assertStrongPassword(password: string, personal: string[]): Promise<void> {
  const weakness = await passwordWeakness(password, personal);
  if (weakness) {
    throw new AppError('validation_failed', 'request is invalid', [
      { path: 'password', message: weakness },
    ]);
  }
}
