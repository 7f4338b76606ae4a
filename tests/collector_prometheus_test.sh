#!/usr/bin/env bash
# cellfleet-collector scraped by the real Prometheus (Debian's), on loopback, over a
# simulated fleet of real agents: Prometheus finds one target per board through the
# collector's http_sd (with the inventory's labels), PromQL returns each board's RSRP, a
# board's scripted 20 dB fade shows up as the change, a board whose agent is stopped
# goes to up 0 within the heartbeat bound, and the shipped alert rule for it fires. The
# collector's output passes `promtool check metrics`, the shipped rules `promtool check
# rules`. `cellfleet fleet-chart` draws the boards' RSRP from that Prometheus into
# CHART_DIR/fleet-rsrp.svg, a valid SVG with a line per board. Every wait is bounded;
# skipped (77) with the reason where Prometheus is missing.
#   collector_prometheus_test.sh CELLFLEET_COLLECTOR CELLFLEET_FLEET RULES_FILE CELLFLEET CHART_DIR
set -euo pipefail
collector=$1
fleet_program=$2
rules=$3
cli=$4
chart_dir=$5
for tool in prometheus promtool curl jq gnuplot xmllint; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh installs it)"; exit 77; }
done
source "$(dirname "$0")/support/shell_test_lib.sh"
cf_init prom
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
  return 1
}

promtool check rules "$rules" >/dev/null || fail "the shipped rules do not pass promtool"

# Three boards; one fades by 20 dB 15 s after the start (the inventory labels it
# trouble=fade).
cf_start_fleet "$fleet_program" --boards 3 --tick 0.5 --poll-interval 0.5 --trouble fade=34%

# Heartbeats every 5 s: a board heard from for neither an update nor a heartbeat for
# 35 s (the bound) is down; a stopped agent closes its stream at once.
fail_logs+=("$dir/collector.log" "$dir/prometheus.log")
cf_background "$dir/collector.log" "$collector" --inventory "$inventory" --listen 127.0.0.1:0 \
  --heartbeat 5 --ready-file "$dir/collector.ready"
until_ok 20 test -s "$dir/collector.ready" || fail "the collector did not start"
collector_address=$(cat "$dir/collector.ready")
until_ok 30 bash -c "curl -sf http://$collector_address/metrics | grep -q '^cellfleet_collector_streams_connected 3$'" ||
  fail "the collector never had 3 streams up"
curl -sf "http://$collector_address/metrics" | promtool check metrics ||
  fail "promtool check metrics finds problems in the collector's output"

# Prometheus: the collector's http_sd for the boards (one target each, scraped with
# ?board=), the collector itself, and the shipped rules with their `for` shortened.
sed -E 's/^( *)for: .*/\1for: 2s/' "$rules" >"$dir/rules.yml"
prom_port=$(free_port)
cat >"$dir/prometheus.yml" <<CONFIG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$dir/rules.yml"]
scrape_configs:
  - job_name: cellfleet-boards
    http_sd_configs:
      - url: http://$collector_address/targets
        refresh_interval: 2s
  - job_name: cellfleet-collector
    metrics_path: /metrics
    params: {boards: [none]}
    static_configs:
      - targets: ["$collector_address"]
CONFIG
promtool check config "$dir/prometheus.yml" >/dev/null || fail "the test's Prometheus config is invalid"
cf_background "$dir/prometheus.log" prometheus --config.file="$dir/prometheus.yml" \
  --storage.tsdb.path="$dir/tsdb" --web.listen-address="127.0.0.1:$prom_port"
api="http://127.0.0.1:$prom_port/api/v1"
# query PROMQL: the result vector as JSON.
query() { curl -sf --get "$api/query" --data-urlencode "query=$1" | jq -c '.data.result'; }

# Each board's RSRP, with the inventory's labels as target labels.
until_ok 60 bash -c "[ \"\$(curl -sf --get '$api/query' --data-urlencode 'query=count(cellfleet_signal_rsrp_dbm{job=\"cellfleet-boards\"})' | jq -r '.data.result[0].value[1] // 0')\" = 3 ]" ||
  fail "Prometheus never had the RSRP of all 3 boards"
rsrp=$(query 'cellfleet_signal_rsrp_dbm{job="cellfleet-boards"}')
for board in board-00 board-01 board-02; do
  jq -e --arg b "$board" 'map(select(.metric.board == $b and (.value[1] | tonumber) < -40 and (.value[1] | tonumber) > -140)) | length == 1' <<<"$rsrp" >/dev/null ||
    fail "no plausible RSRP for $board: $rsrp"
done
jq -e 'map(select(.metric.region != null and .metric.site != null)) | length == 3' <<<"$rsrp" >/dev/null ||
  fail "the inventory's labels are not on the targets: $rsrp"

# The fade: the faded board's RSRP falls by 15 dB or more from its best of the last minutes.
until_ok 60 bash -c "[ \"\$(curl -sf --get '$api/query' --data-urlencode 'query=max_over_time(cellfleet_signal_rsrp_dbm{trouble=\"fade\"}[5m]) - cellfleet_signal_rsrp_dbm{trouble=\"fade\"} >= 15' | jq '.data.result | length')\" = 1 ]" ||
  fail "the scripted fade never showed: $(query 'cellfleet_signal_rsrp_dbm')"

# Stop board-02's agent: up 0 within the heartbeat bound (35 s), and the alert fires.
# By its own state dir: another test's fleet running beside this one has a board-02 too
# (CI once stopped the NAT test's board-02 here, failing both tests).
agent_pid=$(pgrep -f -- "--state-dir $dir/fleet/state2( |$)" | head -1)
[ -n "$agent_pid" ] || fail "no agent process for board-02"
kill -TERM "$agent_pid"
stopped_at=$SECONDS
until_ok 35 bash -c "[ \"\$(curl -sf --get '$api/query' --data-urlencode 'query=cellfleet_board_up{board=\"board-02\",job=\"cellfleet-boards\"}' | jq -r '.data.result[0].value[1] // empty')\" = 0 ]" ||
  fail "board-02 did not go to up 0 within 35 s of its agent stopping"
echo "board-02 went to up 0 $((SECONDS - stopped_at)) s after its agent stopped"
# Its values are gone, not frozen.
[ "$(query 'cellfleet_signal_rsrp_dbm{board="board-02",job="cellfleet-boards"}' | jq 'length')" = 0 ] ||
  fail "board-02 still exports RSRP while down"
until_ok 30 bash -c "curl -sf '$api/alerts' | jq -e '.data.alerts | map(select(.labels.alertname == \"CellfleetBoardDown\" and .labels.board == \"board-02\" and .state == \"firing\")) | length == 1' >/dev/null" ||
  fail "CellfleetBoardDown never fired for board-02: $(curl -sf "$api/alerts")"
# The other boards stay up; the collector's own metrics are there.
[ "$(query 'sum(cellfleet_board_up{job="cellfleet-boards"})' | jq -r '.[0].value[1]')" = 2 ] ||
  fail "the other two boards are not up"
[ "$(query 'cellfleet_collector_boards' | jq -r '.[0].value[1]')" = 3 ] || fail "no collector metrics"

# The fleet's RSRP over the test's minutes, a line per board (board-02's ends where its
# agent stopped).
mkdir -p "$chart_dir"
"$cli" fleet-chart --prometheus "http://127.0.0.1:$prom_port" \
  --query 'cellfleet_signal_rsrp_dbm{job="cellfleet-boards"}' --since 10m \
  --chart "$chart_dir/fleet-rsrp.svg" 2>"$dir/chart.err" ||
  fail "cellfleet fleet-chart failed: $(cat "$dir/chart.err")"
xmllint --noout "$chart_dir/fleet-rsrp.svg" || fail "the fleet chart is not valid SVG"
for board in board-00 board-01 board-02; do
  grep -q ">$board<" "$chart_dir/fleet-rsrp.svg" || fail "the fleet chart has no line for $board"
done
"$cli" fleet-chart --prometheus "http://127.0.0.1:$prom_port" --query 'rate(' \
  --chart "$dir/bad.svg" 2>"$dir/bad.err" && fail "a bad query drew a chart"
grep -q "Prometheus refused the query" "$dir/bad.err" || fail "a bad query's error: $(cat "$dir/bad.err")"
echo "PASS: Prometheus scraped the collector: RSRP per board, the fade, board down, alert firing, fleet chart"
