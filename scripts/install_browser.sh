#!/usr/bin/env bash
# Debian's Chromium and its chromedriver for tests/test_serve_browser.py (selenium drives the system browser; no
# browser is downloaded by a Python package). Installs through apt-get, and only what is missing: a second run does
# nothing and prints nothing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_browser.sh: needs ${need[*]} (run as root, or install them with your package manager)" >&2
  exit 1
fi
echo "installing ${need[*]} …" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
