# shellcheck shell=bash
# Section `startup` of scripts/bench: `nestos-installer --help` against bare `node -e 0`
# (goal: within 2.5x), best of 5 runs each, to show the CLI loads only what a command needs.
bench_startup() {
  local i t best_node=999 best_help=999 rss_node=0 rss_help=0
  for i in 1 2 3 4 5; do
    bench_time t node -e 0
    if bench_lt "${t% *}" "$best_node"; then best_node=${t% *}; rss_node=${t#* }; fi
    bench_time t "${CLI[@]}" --help >/dev/null
    if bench_lt "${t% *}" "$best_help"; then best_help=${t% *}; rss_help=${t#* }; fi
  done
  bench_row startup "node -e 0 (best of 5)" "$best_node" "$rss_node"
  local ratio; ratio=$(awk -v a="$best_help" -v b="$best_node" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  local verdict="${ratio}x bare node (goal <= 2.5x)"
  bench_row startup "--help (best of 5)" "$best_help" "$rss_help" "$verdict"
  awk -v r="$ratio" 'BEGIN { exit !(r <= 2.5) }'
}
