# Sums fuzz-summary.txt rows (target, test, executions, crashes; tab-separated, no header) per target, in the order the
# targets first appear, into the table scripts/fuzz.sh and scripts/test.sh print.
BEGIN { FS = "\t" }
{ e[$1] += $3; f[$1] += $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
END {
  printf "%-10s %14s %8s\n", "target", "executions", "crashes"
  for (i = 1; i <= n; i++) printf "%-10s %14d %8d\n", order[i], e[order[i]], f[order[i]]
}
