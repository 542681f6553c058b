#!/usr/bin/env bash
# Versus the official SDK: N sequential deploys (one package each, AK/SK) with Huawei's
# official Python SDK and N with our wrapper, against the same emulator binary (release
# build, rate limits off, manual tasks); then the cold start of `dataarts-release --version`
# against `python -c "import huaweicloudsdkdataartsstudio.v1"` (hyperfine).
#
#   bench/vs_official_sdk.sh [N]        (default N=1000; REPEATS=3 interleaved rounds)
#
# Python: reuses <root>/.venv when it already has the pinned SDK (conformance/requirements.txt),
# else creates bench/.venv and installs huaweicloudsdkcore/huaweicloudsdkdataartsstudio 3.1.219.
# Needs hyperfine for the cold-start part (apt-get install -y hyperfine).
set -euo pipefail
N="${1:-1000}"
REPEATS="${REPEATS:-3}"   # interleaved Python/Rust runs; the medians are compared
WARMUP=20
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
AK="VSSDKAK0000000000001"
SK="VsSdkSecretKey00000000000000000000000001"
PROJECT="b384b9e9ab9b4ee8994c8633aabc9505"

SDK_VERSION=3.1.219
has_sdk() {
    "$1" - <<PY 2>/dev/null
import importlib.metadata as m
assert m.version("huaweicloudsdkcore") == "$SDK_VERSION"
assert m.version("huaweicloudsdkdataartsstudio") == "$SDK_VERSION"
PY
}
if [ -x "$ROOT/.venv/bin/python" ] && has_sdk "$ROOT/.venv/bin/python"; then
    PY="$ROOT/.venv/bin/python"
else
    PY="$ROOT/bench/.venv/bin/python"
    if ! { [ -x "$PY" ] && has_sdk "$PY"; }; then
        echo "==> creating bench/.venv with the official SDK $SDK_VERSION" >&2
        python3 -m venv "$ROOT/bench/.venv"
        "$PY" -m pip install --quiet --upgrade pip
        "$PY" -m pip install --quiet "huaweicloudsdkcore==$SDK_VERSION" "huaweicloudsdkdataartsstudio==$SDK_VERSION"
    fi
fi
echo "python: $PY ($("$PY" --version 2>&1)), SDK $SDK_VERSION" >&2

echo "==> building release binaries" >&2
cargo build --release --quiet -p dataarts-emulator -p dataarts-release-cli -p dataarts-bench \
    --bin dataarts-emulator --bin dataarts-release --bin deploy_seq

LOG="$(mktemp)"
"$TARGET/release/dataarts-emulator" --demo --ak "$AK" --sk "$SK" --no-rate-limit --manual-tasks \
    --seed-packages $((2 * REPEATS * (N + WARMUP))) --port 0 >"$LOG" 2>&1 &
EMU_PID=$!
trap 'kill "$EMU_PID" 2>/dev/null || true; rm -f "$LOG"' EXIT
URL=""
for _ in $(seq 1 100); do
    URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$LOG" | head -n1 || true)"
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "emulator did not start:" >&2; cat "$LOG" >&2; exit 1; }
echo "emulator: $URL (seeded $((2 * REPEATS * (N + WARMUP))) packages)" >&2
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') / $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"

PY_RATES=""
RS_RATES=""
NEXT=1000
for round in $(seq 1 "$REPEATS"); do
    PY_OUT="$("$PY" "$ROOT/bench/vs_official_sdk.py" --endpoint "$URL" --ak "$AK" --sk "$SK" \
        --project-id "$PROJECT" --first "$NEXT" --calls "$N" --warmup "$WARMUP")"
    NEXT=$((NEXT + N + WARMUP))
    RS_OUT="$("$TARGET/release/deploy_seq" --endpoint "$URL" --ak "$AK" --sk "$SK" \
        --first "$NEXT" --calls "$N" --warmup "$WARMUP")"
    NEXT=$((NEXT + N + WARMUP))
    echo "round $round: $PY_OUT"
    echo "round $round: $RS_OUT"
    PY_RATES="$PY_RATES $(echo "$PY_OUT" | sed -n 's/.*calls_per_s=\([0-9.]*\).*/\1/p')"
    RS_RATES="$RS_RATES $(echo "$RS_OUT" | sed -n 's/.*calls_per_s=\([0-9.]*\).*/\1/p')"
done
RELEASED="$(curl -s "$URL/_emulator/releases" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for v in d.values() if v == 1), sum(1 for v in d.values() if v > 1))')"
echo "emulator: packages released once / more than once: $RELEASED"
"$PY" - "$PY_RATES" "$RS_RATES" <<'PY'
import statistics, sys
py = [float(x) for x in sys.argv[1].split()]
rs = [float(x) for x in sys.argv[2].split()]
mp, mr = statistics.median(py), statistics.median(rs)
print(f"MEDIAN calls/s: python SDK {mp:.0f}, wrapper {mr:.0f}")
print(f"RATIO calls/s wrapper/python = {mr / mp:.1f}x (target >= 10x; per round: "
      + ", ".join(f"{r / p:.1f}x" for p, r in zip(py, rs)) + ")")
PY

if command -v hyperfine >/dev/null; then
    JSON="$(mktemp)"
    hyperfine --shell=none --warmup 3 --runs 30 --export-json "$JSON" \
        "$TARGET/release/dataarts-release --version" \
        "$PY -c 'import huaweicloudsdkdataartsstudio.v1'" >&2
    "$PY" - "$JSON" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
rs, py = r[0], r[1]
print(f"COLD START dataarts-release --version: mean {rs['mean']*1e3:.2f} ms, median {rs['median']*1e3:.2f} ms")
print(f"COLD START python import huaweicloudsdkdataartsstudio.v1: mean {py['mean']*1e3:.1f} ms, median {py['median']*1e3:.1f} ms")
print(f"RATIO cold start python/rust (median) = {py['median']/rs['median']:.0f}x (target >= 50x)")
PY
    rm -f "$JSON"
else
    echo "hyperfine not found: skipped the cold start (apt-get install -y hyperfine)" >&2
fi
