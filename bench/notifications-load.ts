import { emitLine, onCommands } from './lib.ts';

/** One API request of a batch, as a bearer of `token`. */
export interface Call {
  method: string;
  path: string;
  token: string;
  body?: unknown;
}

/**
 * API requests from their own process, `concurrency` at a time: setting up the notification
 * benchmark's contracts, disputes and messages, and the burst of filings it times. Answers
 * `{ok, failed, ms, picked}`, `picked` being the `pick` field (e.g. "contract.id") of each.
 */
onCommands(async (cmd: { url: string; calls: Call[]; concurrency: number; pick?: string }) => {
  const picked: unknown[] = new Array(cmd.calls.length).fill(null);
  let next = 0;
  let ok = 0;
  const failures: string[] = [];
  const t0 = performance.now();
  const worker = async () => {
    while (next < cmd.calls.length) {
      const i = next++;
      const call = cmd.calls[i]!;
      const res = await fetch(cmd.url + call.path, {
        method: call.method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${call.token}` },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
      });
      const text = await res.text();
      if (!res.ok) {
        failures.push(`${call.method} ${call.path} → ${res.status} ${text.slice(0, 200)}`);
        continue;
      }
      ok++;
      if (cmd.pick) {
        let v: any = JSON.parse(text);
        for (const key of cmd.pick.split('.')) v = v?.[key];
        picked[i] = v;
      }
    }
  };
  await Promise.all(Array.from({ length: cmd.concurrency }, worker));
  emitLine({
    ok,
    failed: failures.length,
    firstFailures: failures.slice(0, 3),
    ms: performance.now() - t0,
    picked: cmd.pick ? picked : [],
  });
});
