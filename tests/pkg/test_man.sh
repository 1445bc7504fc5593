#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The man pages (conf/man/) against what they document: every verb and
# option that `sluicectl --help` and each `sluicectl COMMAND --help` name
# is in sluicectl(8) (a verb as its own subsection); every option of
# `sluice --help` in sluice(8); every key in the first column of
# conf/README.md's Reference table in sluice.json(5), and each key the
# parser accepts (tests/pkg/parser_keys.py) in that table, by its section
# where the parser's code shows it (timers.heartbeat_ms, not any
# heartbeat_ms); the exit statuses in both EXIT STATUS sections; the
# generated pages are what `make man` writes now; groff finds nothing to
# warn about. Each failure says what to add where. (That every option a
# sluicectl command accepts is in its help is tests/unit/test_cli_help.c.)
# Prints ok / not ok lines; exit 1 when any failed.
set -uo pipefail
# shellcheck source=tests/pkg/pkg_lib.sh
. "$(dirname "$0")/pkg_lib.sh"
pkg_begin man
CTL=${SLUICECTL:-build/sluicectl} SL=${SLUICE:-build/sluice} MAN=${MAN_DIR:-conf/man}
render() { groff -man -Tascii -P-c -P-b -P-u -rLL=200n "$1" 2>/dev/null; }
# missing TEXTFILE WORDS...: the words not found in TEXTFILE as whole
# tokens (-s is not found in --socket, nor --proto in --protocol).
missing() {
  local f=$1 w
  shift
  for w in "$@"; do grep -qE -- "(^|[^A-Za-z0-9_-])$w([^A-Za-z0-9_-]|\$)" "$f" || echo "$w"; done
}
report() { # what, missing list, what to do about it
  if [ -z "$2" ]; then ok "$1"; else not_ok "$1" "missing: $(tr '\n' ' ' <<<"$2")" "$3"; fi
}
# What to do when a generated page lacks something.
REGEN_CTL="fix: run \`make man\` (scripts/gen_man.py writes conf/man/sluicectl.8 from sluicectl's help texts) and commit the page"
REGEN_JSON="fix: run \`make man\` (scripts/gen_man.py writes conf/man/sluice.json.5 from conf/README.md's Reference table) and commit the page"

for p in "$MAN"/sluicectl.8 "$MAN"/sluice.8 "$MAN"/sluice.json.5; do
  w=$(groff -man -Tascii -ww -z "$p" 2>&1)
  if [ -z "$w" ]; then ok "groff: no warning in $(basename "$p")"; else not_ok "groff: no warning in $(basename "$p")" "$w"; fi
done
render "$MAN/sluicectl.8" >"$T/sluicectl.txt"
render "$MAN/sluice.8" >"$T/sluice.txt"
render "$MAN/sluice.json.5" >"$T/json.txt"

# ---- sluicectl(8)
"$CTL" --help >"$T/help.txt" 2>&1
verbs=$(sed -n '/^Commands:/,/^$/p' "$T/help.txt" | sed -n 's/^  \([a-z][a-z-]*\)\( \([a-z][a-z-]*\)\)\{0,1\}\( .*\)\{0,1\}$/\1 \3/p' | sed 's/ *$//')
nverbs=$(wc -l <<<"$verbs")
if [ "$nverbs" -ge 20 ]; then ok "sluicectl --help lists $nverbs verbs"; else not_ok "sluicectl --help lists verbs" "found $nverbs"; fi
m=$(while read -r v; do grep -qE "^ +$v *$" "$T/sluicectl.txt" || echo "$v"; done <<<"$verbs")
report "sluicectl(8) has a subsection for each of the $nverbs verbs" "$m" "$REGEN_CTL"
cp "$T/help.txt" "$T/all-help.txt"
while read -r v; do
  # shellcheck disable=SC2086
  "$CTL" $v --help >>"$T/all-help.txt" 2>&1
done <<<"$verbs"
opts=$(grep -oE '(^|[ [(,])--?[a-z][a-z-]*' "$T/all-help.txt" | sed 's/^[ [(,]//' | sort -u)
nopts=$(wc -l <<<"$opts")
# shellcheck disable=SC2086
report "sluicectl(8) names each of the $nopts options of the help texts" "$(missing "$T/sluicectl.txt" $opts)" "$REGEN_CTL"
for st in 0 1 2; do
  sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$T/sluicectl.txt" | grep -qE "(^| )$st " \
    && ok "sluicectl(8) EXIT STATUS: $st" || not_ok "sluicectl(8) EXIT STATUS: $st"
done

# ---- sluice(8)
"$SL" --help >"$T/sl-help.txt" 2>&1
slopts=$(grep -oE '(^|[ [(,])--?[a-z][a-z-]*' "$T/sl-help.txt" | sed 's/^[ [(,]//' | grep -v -- '--file-prefix' | sort -u)
# shellcheck disable=SC2086
report "sluice(8) names each option of sluice --help ($(echo $slopts))" "$(missing "$T/sluice.txt" $slopts)" \
  "fix: sluice(8) is written by hand: add a .TP entry for each to the OPTIONS section of conf/man/sluice.8"
for st in 0 1 2; do
  sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$T/sluice.txt" | grep -qE "^ +$st( |$)" \
    && ok "sluice(8) EXIT STATUS: $st" || not_ok "sluice(8) EXIT STATUS: $st"
done
report "sluice(8) names the signals" "$(missing "$T/sluice.txt" SIGINT SIGTERM SIGHUP READY=1 RELOADING=1 STOPPING=1)" \
  "fix: add them to the SIGNALS section of conf/man/sluice.8 (written by hand)"

# ---- sluice.json(5): first-column keys of the Reference table; a part
# written `.x` after `a.b` is `a.x`.
keys=$(sed -n '/^## Reference/,$p' conf/README.md | grep '^| `' | cut -d'|' -f2 | while read -r cell; do
  first=
  for k in $(grep -oE '`[^`]+`' <<<"$cell" | tr -d '`'); do
    if [ -z "$first" ]; then first=$k; echo "$k"; else echo "${first%.*}$k"; fi
  done
done | sort -u)
nkeys=$(wc -l <<<"$keys")
if [ "$nkeys" -ge 50 ]; then ok "conf/README.md names $nkeys keys"; else not_ok "conf/README.md names keys" "found $nkeys"; fi
# The entries' tags (the line after each .TP of the KEYS section, fonts
# dropped): "a.b, a.c" -> a.b and a.c.
sed -n '/^\.SH KEYS/,/^\.SH NOTES/p' "$MAN/sluice.json.5" | sed -n '/^\.TP/{n;p}' \
  | sed -E 's/\\f[BIR]//g; s/, /\n/g' | sort -u >"$T/json-keys.txt"
m=$(comm -23 <(echo "$keys") "$T/json-keys.txt")
report "sluice.json(5) has an entry for each of the $nkeys keys" "$m" "$REGEN_JSON"

# ---- every key the parser accepts is in the Reference table, by its
# section where the parser's code shows it (parser_keys.py says how).
# A run of parser_keys.py that fails (not 0: its error, last line shown, in
# $T/parser_keys.err) fails, whatever it printed.
pk_failed() { not_ok "tests/pkg/parser_keys.py$1 runs" "exit status $2: $(tail -n 1 "$T/parser_keys.err")"; }
if keys_out=$(python3 tests/pkg/parser_keys.py 2>"$T/parser_keys.err"); then
  np=$(grep -c . <<<"$keys_out")
  if [ "$np" -ge 80 ]; then ok "the parser accepts $np keys"; else not_ok "the parser's keys found" "found $np"; fi
else
  pk_failed "" $?
  np=0
fi
if m=$(python3 tests/pkg/parser_keys.py --missing conf/README.md 2>"$T/parser_keys.err"); then
  report "conf/README.md's Reference table names each of the $np keys the parser accepts" "$m" \
  "fix: add a row for each to the table under '## Reference' in conf/README.md (| \`section.key\` | type | default | meaning |; an array's members may go in its row, as \`ports[]\`'s do), then run \`make man\` to regenerate conf/man/sluice.json.5 and commit both"
else
  pk_failed " --missing" $?
fi

# ---- generated pages are current
python3 scripts/gen_man.py sluicectl "$CTL" "$T/gen.8" && python3 scripts/gen_man.py json conf/README.md "$T/gen.5"
if cmp -s "$T/gen.8" "$MAN/sluicectl.8"; then ok "sluicectl(8) is what make man writes"; else not_ok "sluicectl(8) is what make man writes" "$(diff "$MAN/sluicectl.8" "$T/gen.8" | head -n 10)" "$REGEN_CTL"; fi
if cmp -s "$T/gen.5" "$MAN/sluice.json.5"; then ok "sluice.json(5) is what make man writes"; else not_ok "sluice.json(5) is what make man writes" "$(diff "$MAN/sluice.json.5" "$T/gen.5" | head -n 10)" "$REGEN_JSON"; fi
pkg_end
