import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/seed/main.ts', 'src/db/ferretdb-cli.ts'],
  format: 'esm',
  target: 'node20',
  platform: 'node',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  // The shared contract is TypeScript source: bundle it; everything else stays in node_modules.
  noExternal: ['@dispute-room/shared'],
});
