import { readFileSync } from 'node:fs';

// Prints the functions with the most self time in a V8 .cpuprofile.
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  nodes: Node[];
  samples: number[];
};
const total = profile.samples.length;
const self = new Map<string, number>();
for (const n of profile.nodes) {
  const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\/\.pnpm\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${f.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + n.hitCount);
}
for (const [k, v] of [...self]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(process.argv[3] ?? 30))) {
  console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}
