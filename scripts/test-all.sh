#!/usr/bin/env bash
# The whole test suite, as the README gives it: lint, typecheck, unit + integration
# (real FerretDB, real Redis, real sockets), then e2e in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

step() { printf '\n==> %s\n' "$*"; }

step "lint"
pnpm lint

step "typecheck"
pnpm typecheck

step "build the embedded database (cached after the first time) and test its launcher"
pnpm ferretdb:build
(cd ferretdb && go vet ./... && go test ./...)

step "unit and integration tests (vitest)"
pnpm exec vitest run

step "build client and server for e2e"
pnpm --filter @dispute-room/client build
pnpm --filter @dispute-room/server build

step "e2e (Playwright driving /usr/bin/chromium)"
bash scripts/ensure-chromium.sh
/usr/bin/chromium --version || true
pnpm --filter @dispute-room/e2e exec playwright --version
pnpm test:e2e
