#!/usr/bin/env bash
# Debian packages the tests need: chromium (browser tests, driven by Playwright through
# executable_path; never a downloaded browser) and postgresql (the PostgreSQL test run).
# Installs what is missing when run as root; otherwise says what is missing and goes on,
# in which case the tests that need them are skipped with that reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x "$(ls /usr/lib/postgresql/*/bin/postgres 2>/dev/null | head -n1)" ] || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}") >/tmp/tractatus-apt.log 2>&1 \
    || { echo "warning: apt-get install ${need[*]} failed (see /tmp/tractatus-apt.log)"; exit 0; }
else
  echo "note: not installing ${need[*]} (need root and apt-get); tests that need them will be skipped"
fi
