#!/usr/bin/env bash
# Scale through the CLI: `dataarts-release deploy --ids-from ids.txt` with 10,000 ids against
# the emulator binary enforcing the per-user limit of 10 requests/s; reports the CLI's peak
# RSS (/usr/bin/time -v "Maximum resident set size"), its wall time, and from the emulator's
# journal the number of deploy requests and of 429 answers.
#
#   bench/scale_cli.sh [N]     (default N=10000)
set -euo pipefail
N="${1:-10000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
AK="SCALEAK0000000000001"
SK="ScaleSecretKey0000000000000000000000001"

cargo build --release --quiet -p dataarts-emulator -p dataarts-release-cli \
    --bin dataarts-emulator --bin dataarts-release

WORK="$(mktemp -d)"
"$TARGET/release/dataarts-emulator" --demo --ak "$AK" --sk "$SK" --rate-limit-user 10 \
    --manual-tasks --seed-packages "$N" --port 0 >"$WORK/emu.log" 2>&1 &
EMU_PID=$!
trap 'kill "$EMU_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
URL=""
for _ in $(seq 1 100); do
    URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/emu.log" | head -n1 || true)"
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/emu.log" >&2; exit 1; }
seq 1000 $((1000 + N - 1)) >"$WORK/ids.txt"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') / $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
echo "emulator: $URL, $N seeded packages, per-user limit 10/s"

set +e
env -i PATH="$PATH" HOME="$WORK" HUAWEICLOUD_SDK_AK="$AK" HUAWEICLOUD_SDK_SK="$SK" \
    HUAWEICLOUD_SDK_PROJECT_ID=b384b9e9ab9b4ee8994c8633aabc9505 \
    /usr/bin/time -v "$TARGET/release/dataarts-release" --endpoint "$URL" --quiet \
    deploy --no-start --ids-from "$WORK/ids.txt" >"$WORK/out.txt" 2>"$WORK/time.txt"
RC=$?
set -e
echo "CLI exit code: $RC"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$WORK/time.txt" | sed 's/^\s*/CLI /'
grep -v -E '^\s' "$WORK/time.txt" | head -n 5 || true
curl -s "$URL/_emulator/journal" >"$WORK/journal.json"
curl -s "$URL/_emulator/releases" >"$WORK/releases.json"
python3 - "$WORK/journal.json" "$WORK/releases.json" "$N" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2])); n = int(sys.argv[3])
deploys = [e for e in j if e["operation"] == "deploy_factory_packages"]
print(f"journal: {len(j)} requests, {len(deploys)} deploys (expected {-(-n // 100)}), "
      f"{sum(1 for e in j if e['status'] == 429)} answered 429")
print(f"released exactly once: {sum(1 for v in r.values() if v == 1)}/{n}, more than once: {sum(1 for v in r.values() if v > 1)}")
PY
