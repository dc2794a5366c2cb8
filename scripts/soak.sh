#!/usr/bin/env bash
# Soak benchmark (not a test): feeds N pairs (default 20000) through a real `edgeagent run` process and a real
# mosquitto the way an AOI would (copy under a temporary name, rename), in batches that keep at most ~500
# files waiting, with AfterProcessing=Move so judged pairs leave the watched folder (this script then deletes
# them from done/, review/, quarantine/, as the line's housekeeping would). Every few seconds it samples the
# agent's RSS (/proc/PID/status) and the managed heap from the agent's heartbeat on …/edgeagent/v1/metrics,
# prints a table over time, and ends with the RSS growth after warm-up and "memory flat: yes" when that growth
# is under 10%. Warm-up is the first 10% of the pairs or the time the journal takes to fill to its steady
# size (Retention ArchiveAfter + Interval, two minutes here), whichever is longer: until then the journal and
# LiteDB's page cache over it grow by design, with the pairs not yet archived.
#
#   scripts/soak.sh [N] [--small] [--interval S] [--keep]
#     --small     the contract-test model (crop 320 → 160) on 352 px pairs, ~2.5x faster than the bundled
#                 model on 600 px pairs (the default, what production runs)
#     --interval  seconds between samples (default 5)
#     --keep      keep the work folder (agent.log, config, LiteDB files) instead of deleting it
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$(pwd)

N=20000 SMALL=0 INTERVAL=5 KEEP=0
DISTINCT=300             # pairs generated once, replayed under new ids
MAX_PENDING_FILES=500    # back-pressure: never more than this many files waiting in the watched folder
BATCH=100                # pairs copied per round at most
STALL_S=180              # no pair finished for this long = the run failed
while [ $# -gt 0 ]; do
  case "$1" in
    --small) SMALL=1 ;;
    --keep) KEEP=1 ;;
    --interval) INTERVAL=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *[!0-9]*|'') echo "soak.sh: unknown argument $1" >&2; exit 64 ;;
    *) N=$1 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
MOSQUITTO=$(command -v mosquitto || true)
[ -z "$MOSQUITTO" ] && [ -x /usr/sbin/mosquitto ] && MOSQUITTO=/usr/sbin/mosquitto
[ -n "$MOSQUITTO" ] || { echo "soak.sh: mosquitto is not installed (scripts/install-deps.sh)" >&2; exit 1; }

echo "soak: building Release"
dotnet build src/EdgeAgent/EdgeAgent.csproj -c Release -v quiet -nologo >/dev/null
WORK=$(mktemp -d /tmp/edgeagent-soak-XXXXXX)
# The agent runs from a private copy: a rebuild during a 25-minute soak must not rewrite the files under it.
cp -r "$ROOT_DIR/src/EdgeAgent/bin/Release/net10.0/linux-x64" "$WORK/agent"
AGENT_DLL=$WORK/agent/edgeagent.dll
WATCH=$WORK/aoi STAGE=$WORK/stage
mkdir -p "$WATCH" "$WORK/data"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$KEEP" = 1 ]; then echo "soak: work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$WORK/mosquitto.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous true
persistence false
user $(id -un)
CONF
"$MOSQUITTO" -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

if [ "$SMALL" = 1 ]; then
  SIZE=352 MODEL_JSON="\"Path\": \"$ROOT_DIR/models/golden/stpm_r18_c320_r160.onnx\", \"Provider\": \"Cpu\""
else
  SIZE=600 MODEL_JSON="\"Provider\": \"Cpu\""
fi
echo "soak: generating $DISTINCT pairs at ${SIZE} px"
dotnet "$AGENT_DLL" generate --out "$STAGE" --count "$DISTINCT" --size "$SIZE" --seed 5 >/dev/null
mapfile -t IMAGES < <(cd "$STAGE" && ls -1 */*_image.png)

TOPIC_ROOT=aoi/soak/a/l/s1/edgeagent/v1
# Memory follows the journal's size (LiteDB keeps the pages it touched), and retention bounds the journal:
# published verdicts leave it for the monthly archive after Retention:ArchiveAfter (10 min by default).
# A 20,000-pair soak lasts about as long as that, so it would end before the steady state a line box lives
# in; one-minute retention reaches the same steady state early enough to measure it.
JOURNAL_STEADY_S=120 # ArchiveAfter + Interval below
# Routing: the contract-test model of --small names no trained products; the soak judges every pair with the model under test.
cat > "$WORK/agent.json" <<CONF
{
  "Ingest": { "Folders": ["$WATCH"], "AfterProcessing": "Move", "RescanInterval": "00:00:02" },
  "Storage": { "DataDirectory": "$WORK/data" },
  "Model": { $MODEL_JSON },
  "Routing": { "UnknownProducts": "DefaultModel" },
  "Mqtt": { "Host": "127.0.0.1", "Port": $PORT, "Site": "soak", "Area": "a", "Line": "l", "Station": "s1" },
  "Health": { "HeartbeatInterval": "$(printf '00:00:%02d' $(( INTERVAL < 59 ? INTERVAL : 59 )))" },
  "Retention": { "ArchiveAfter": "00:01:00", "Interval": "00:01:00" },
  "Logging": { "LogLevel": { "Default": "Warning", "EdgeAgent.Pipeline.Retention.RetentionService": "Information" } }
}
CONF

# The managed heap comes from the agent's heartbeat; verdicts are counted as a consumer would see them.
if command -v mosquitto_sub >/dev/null; then
  tail_topic() { mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -v -t "$1"; }
else
  tail_topic() { python3 "$ROOT_DIR/scripts/soak/mqtt_tail.py" 127.0.0.1 "$PORT" "$1"; }
fi
tail_topic "$TOPIC_ROOT/metrics" >"$WORK/metrics.log" 2>/dev/null &
PIDS+=($!)
tail_topic "$TOPIC_ROOT/verdict" >"$WORK/verdicts.log" 2>/dev/null &
PIDS+=($!)
sleep 0.5

dotnet "$AGENT_DLL" run --config "$WORK/agent.json" >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
echo "soak: $N pairs through agent pid $AGENT_PID, broker 127.0.0.1:$PORT, model $([ "$SMALL" = 1 ] && echo contract-c320-r160 || echo bundled), work $WORK"

now() { date +%s.%N; }
START=$(now)
fed=0 finished=0 last_done=0 last_progress=$START last_t=$START next_sample=$START
: >"$WORK/samples.txt"
printf '%9s %10s %9s %9s %9s\n' "elapsed_s" "pairs_done" "pairs/s" "RSS_MB" "heap_MB"
sample() {
  local t rss heap
  t=$(now)
  rss=$(awk '/^VmRSS/{print $2}' "/proc/$AGENT_PID/status" 2>/dev/null || echo 0)
  heap=$(tail -n 1 "$WORK/metrics.log" 2>/dev/null | grep -o '"gcHeapBytes":[0-9]*' | cut -d: -f2 || true)
  awk -v t="$t" -v s="$START" -v lt="$last_t" -v d="$finished" -v ld="$last_done" -v r="$rss" -v h="${heap:--}" 'BEGIN {
    rate = (t > lt) ? (d - ld) / (t - lt) : 0
    printf "%9.0f %10d %9.1f %9.1f %9s\n", t - s, d, rate, r / 1024, (h == "-") ? "-" : sprintf("%.1f", h / 1048576) }'
  echo "$finished $rss ${heap:--} $(awk -v t="$t" -v s="$START" 'BEGIN { printf "%.0f", t - s }')" >>"$WORK/samples.txt"
  last_t=$t last_done=$finished
}

while [ "$finished" -lt "$N" ]; do
  if ! kill -0 "$AGENT_PID" 2>/dev/null; then
    echo "soak: the agent exited; last lines of its log:" >&2; tail -n 20 "$WORK/agent.log" >&2; exit 1
  fi
  # Judged pairs were moved out of the watched folder: count them, then delete them (housekeeping).
  moved=$( { find "$WATCH/done" "$WATCH/review" "$WATCH/quarantine" -type f -name '*_image.png' -print -delete 2>/dev/null || true; } | wc -l)
  find "$WATCH/done" "$WATCH/review" "$WATCH/quarantine" -type f -name '*_template.png' -delete 2>/dev/null || true
  finished=$(( finished + moved ))
  t=$(now)
  if [ "$moved" -gt 0 ]; then last_progress=$t; fi
  if awk -v t="$t" -v p="$last_progress" -v s="$STALL_S" 'BEGIN { exit !(t - p > s) }'; then
    echo "soak: no pair finished for ${STALL_S} s; last lines of the agent's log:" >&2; tail -n 20 "$WORK/agent.log" >&2; exit 1
  fi

  pending=$(find "$WATCH" -mindepth 2 -maxdepth 2 -type f | wc -l)
  room=$(( (MAX_PENDING_FILES - pending) / 2 ))
  batch=$(( room < BATCH ? room : BATCH ))
  batch=$(( batch < N - fed ? batch : N - fed ))
  for (( i = 0; i < batch; i++ )); do
    src=${IMAGES[$(( fed % DISTINCT ))]}
    product=${src%%/*} id=${src#*/}; id=${id%_image.png}
    new=$(printf 'S%06d_%s' "$fed" "$id")
    mkdir -p "$WATCH/$product"
    cp "$STAGE/$product/${id}_image.png" "$WATCH/$product/${new}_image.png.part"
    mv "$WATCH/$product/${new}_image.png.part" "$WATCH/$product/${new}_image.png"
    cp "$STAGE/$product/${id}_template.png" "$WATCH/$product/${new}_template.png.part"
    mv "$WATCH/$product/${new}_template.png.part" "$WATCH/$product/${new}_template.png"
    fed=$(( fed + 1 ))
  done

  if awk -v t="$t" -v n="$next_sample" 'BEGIN { exit !(t >= n) }'; then
    sample
    next_sample=$(awk -v t="$t" -v i="$INTERVAL" 'BEGIN { printf "%.3f", t + i }')
  fi
  sleep 0.5
done
sample
ELAPSED=$(awk -v t="$(now)" -v s="$START" 'BEGIN { printf "%.1f", t - s }')

sleep 2 # the last verdicts cross the broker
kill -TERM "$AGENT_PID"
agent_exit=0
wait "$AGENT_PID" || agent_exit=$?
delivered=$(grep -c '"schema":"edgeagent.verdict/1"' "$WORK/verdicts.log" || true)
distinct=$(grep -o '"id":"[0-9A-Z]*"' "$WORK/verdicts.log" | sort -u | wc -l)

echo
awk -v n="$N" -v el="$ELAPSED" -v steady_s="$JOURNAL_STEADY_S" '
  { d[NR] = $1; r[NR] = $2; h[NR] = $3; e[NR] = $4 }
  END {
    # Baseline: the first samples after warm-up (see the top); end: the last samples. Three each, averaged,
    # so one GC cycle does not decide the verdict.
    for (b = 1; b <= NR && (d[b] < n / 10 || e[b] < steady_s); b++) {}
    if (b > NR - 3) { print "memory: too few samples after warm-up to judge (use a larger N or a shorter --interval)"; exit }
    for (i = b; i < b + 3; i++) { rb += r[i] / 3 }
    for (i = NR - 2; i <= NR; i++) { re += r[i] / 3 }
    growth = (re - rb) / rb * 100
    printf "pairs %d in %s s: %.1f pairs/s overall\n", n, el, n / el
    printf "RSS after warm-up %.1f MB, at the end %.1f MB: growth %+.1f %%\n", rb / 1024, re / 1024, growth
    if (h[b] != "-" && h[NR] != "-") {
      for (i = b; i < b + 3; i++) { hb += h[i] / 3 }
      for (i = NR - 2; i <= NR; i++) { he += h[i] / 3 }
      printf "managed heap after warm-up %.1f MB, at the end %.1f MB: growth %+.1f %%\n", hb / 1048576, he / 1048576, (he - hb) / hb * 100
    }
    printf "memory flat: %s\n", (growth < 10) ? "yes" : "no"
  }' "$WORK/samples.txt"
grep -o 'paused [0-9]* ms' "$WORK/agent.log" | awk '{ n++; s += $2; if ($2 > m) m = $2 }
  END { if (n) printf "retention passes: %d, the collection after each paused %.0f ms on average, %.0f ms at most\n", n, s / n, m }'
echo "verdicts received: $delivered ($distinct distinct ids) for $N pairs; agent exit code $agent_exit"
