#!/usr/bin/env bash
# Test-only system dependencies (a real browser for the web tests, Java for the Spark tests). Safe to re-run.
set -euo pipefail
bin=${1:-.venv/bin}
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)  # newsfold spark (tests/test_spark.py)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing system packages: ${need_apt[*]} (install them with apt-get as root)" >&2
  fi
fi
