import type { IncomingMessage, ServerResponse } from 'node:http';
import { Decoder, Encoder } from 'socket.io-parser';
import { wellFormed } from '@dispute-room/shared';

/** Far above any event's payload (a send is ~30 values, 3 levels deep). */
export const PAYLOAD_MAX_VALUES = 1_000;
export const PAYLOAD_MAX_DEPTH = 16;

function nonPlain(value: object): string | null {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return 'binary data is not accepted';
  }
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) {
    return 'binary data is not accepted';
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (
    Array.isArray(value) ? proto === Array.prototype : proto === Object.prototype || proto === null
  )
    return null;
  const kind = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return `the payload must be plain JSON data (got ${typeof kind === 'string' && kind ? kind : 'an object'})`;
}

/**
 * What is wrong with a socket payload, or null when it is plain JSON data (plain objects and
 * arrays, strings, finite numbers, booleans, null) of bounded size with valid Unicode.
 *
 * Socket.IO hands over whatever its parser rebuilt, Buffers of binary attachments included,
 * so this runs before any schema: anything else is refused on sight, without looking inside
 * it, and at most PAYLOAD_MAX_VALUES values are visited, so a payload of any shape costs at
 * most that many steps. Iterative, so no shape can exhaust the stack.
 */
export function payloadProblem(payload: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: payload, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (++visited > PAYLOAD_MAX_VALUES) {
      return `the payload is too large (more than ${PAYLOAD_MAX_VALUES} values)`;
    }
    switch (typeof value) {
      case 'string':
        if (!wellFormed(value)) return 'invalid Unicode in the payload (a lone surrogate)';
        continue;
      case 'number':
        if (!Number.isFinite(value)) return 'numbers in the payload must be finite';
        continue;
      case 'boolean':
        continue;
      case 'object':
        break;
      default:
        return `the payload must be plain JSON data (got ${typeof value})`;
    }
    if (value === null) continue;
    const problem = nonPlain(value);
    if (problem) return problem;
    if (depth >= PAYLOAD_MAX_DEPTH) {
      return `the payload is nested too deeply (more than ${PAYLOAD_MAX_DEPTH} levels)`;
    }
    if (Array.isArray(value)) {
      if (visited + value.length > PAYLOAD_MAX_VALUES) {
        return `the payload is too large (more than ${PAYLOAD_MAX_VALUES} values)`;
      }
      for (const item of value as unknown[]) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    if (visited + keys.length > PAYLOAD_MAX_VALUES) {
      return `the payload is too large (more than ${PAYLOAD_MAX_VALUES} values)`;
    }
    for (const key of keys) {
      if (!wellFormed(key)) return 'invalid Unicode in the payload (a lone surrogate in a key)';
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return null;
}

/** Past these a packet is not parsed at all (well beyond what payloadProblem answers). */
const PACKET_MAX_DEPTH = 2 * PAYLOAD_MAX_DEPTH;
const PACKET_MAX_SEPARATORS = 2 * PAYLOAD_MAX_VALUES + 16;

/**
 * Why a Socket.IO text packet is not worth parsing, or null. JSON.parse of 60 KB costs about
 * 10 ms when it is 30,000 levels deep or 6,000 keys wide (against well under 1 ms for a flat
 * string), and Socket.IO parses every packet before any handler sees it; one pass over the
 * characters counting nesting and separators costs a fraction of that, so it comes first.
 */
export function packetShapeProblem(packet: string): string | null {
  let depth = 0;
  let separators = 0;
  let inString = false;
  for (let i = 0; i < packet.length; i++) {
    const c = packet.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > PACKET_MAX_DEPTH) return 'packet nested too deeply';
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c || c === 0x3a) {
      if (++separators > PACKET_MAX_SEPARATORS) return 'packet has too many values';
    }
  }
  return null;
}

/** socket.io-parser's decoder behind that check; a refused packet closes its connection. */
class BoundedDecoder extends Decoder {
  override add(obj: unknown): void {
    if (typeof obj === 'string') {
      const problem = packetShapeProblem(obj);
      if (problem) throw new Error(problem);
    }
    super.add(obj);
  }
}

/** The Socket.IO `parser` option: the standard encoder, the bounded decoder. */
export const boundedParser = { Encoder, Decoder: BoundedDecoder };

type EngineMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * HTTP long-polling bodies reach engine.io through `setEncoding('utf8')`, which turns
 * malformed UTF-8 into U+FFFD without a word, so such a message would be stored as something
 * its sender never wrote (WebSocket text frames are checked by ws, which closes with 1007).
 * Here the body is decoded strictly instead, chunk by chunk as engine.io reads it: malformed
 * bytes answer 400, and engine.io is told the request broke off, which ends that session.
 */
export const strictUtf8Bodies: EngineMiddleware = (req, res, next) => {
  if (req.method !== 'POST') return next();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Keep the chunks as bytes; they are decoded below, strictly.
  req.setEncoding = () => req;
  const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
  let refused = false;
  const refuse = () => {
    refused = true;
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('the body is not valid UTF-8');
    return emit('close');
  };
  req.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'data' && event !== 'end') return emit(event, ...args);
    if (refused) return false;
    try {
      if (event === 'data') {
        const chunk = args[0];
        return emit(
          'data',
          chunk instanceof Uint8Array ? decoder.decode(chunk, { stream: true }) : chunk,
        );
      }
      const tail = decoder.decode();
      if (tail) emit('data', tail);
    } catch {
      return refuse();
    }
    return emit('end');
  }) as typeof req.emit;
  next();
};
