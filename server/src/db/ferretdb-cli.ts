import { ensureFerretBinary } from './embedded.js';

// `pnpm ferretdb:build`: build (or find) the embedded database binary and print its path.
ensureFerretBinary()
  .then((bin) => process.stdout.write(`${bin}\n`))
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
