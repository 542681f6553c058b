#!/usr/bin/env bash
# Kept for the old command line: runs the side-by-side benchmark against the official Python,
# Go and Java SDKs, bench/vs_official_sdks.py (see BENCHMARKS.md).
#
#   bench/vs_official_sdk.sh [N] [more vs_official_sdks.py options]   (default N=2000; REPEATS=3 rounds)
set -euo pipefail
N="${1:-2000}"
shift || true
exec python3 "$(dirname "$0")/vs_official_sdks.py" --calls "$N" --rounds "${REPEATS:-3}" "$@"
