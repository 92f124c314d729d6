#!/usr/bin/env bash
# Makes sure Debian's Chromium (and fonts, so screenshots have text) is installed for the
# e2e tests. Playwright never downloads a browser here: it drives /usr/bin/chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi dejavu; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: run 'sudo apt-get install -y chromium fonts-dejavu-core fonts-liberation' first." >&2
  exit 1
fi
echo "Installing Debian's chromium and fonts for the e2e tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-liberation fontconfig >/dev/null
