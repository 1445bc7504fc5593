#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bash completion for sluicectl in a real interactive bash on a pty
# (pty_keys.py): the shell itself splits the line, at ':' and '=' too
# (bash's default COMP_WORDBREAKS), and inserts the reply. Typed with
# TAB, then Enter runs the stand-in sluicectl (pkg_lib.sh), whose logged
# arguments are the completed line; where several values fit, the replies
# the completion computed are logged instead. Once with bash-completion
# loaded (its _get_comp_words_by_ref), once without (COMP_LINE).
# Prints ok / not ok lines; exit 1 when any failed.
set -uo pipefail
# shellcheck source=tests/pkg/pkg_lib.sh
. "$(dirname "$0")/pkg_lib.sh"
pkg_begin complpty; trap "" EXIT; echo "# T=$T"
CTL=$(realpath "${SLUICECTL:-build/sluicectl}")
BC=/usr/share/bash-completion/bash_completion
mkdir -p "$T/bin"
pkg_standin_ctl "$T/bin/sluicectl" "$CTL"

# shell MODE CHUNK...: a bash whose completion logs each reply (one line
# per TAB, in $T/replies-MODE) types the CHUNKs; the stand-in's calls in
# $T/bin/calls.log, emptied first.
shell() {
  local mode=$1
  shift
  {
    echo "PS1='<sl-ps1>'; PATH='$T/bin':\$PATH"
    [ "$mode" = plain ] || echo ". '$BC'"
    echo ". '$PWD/conf/sluicectl.bash'"
    echo "_sl_logged() { _sluicectl \"\$@\"; echo \"\${COMPREPLY[*]}\" >>'$T/replies-$mode'; }"
    echo "complete -F _sl_logged sluicectl"
  } >"$T/rc-$mode"
  : >"$T/bin/calls.log"
  python3 tests/pkg/pty_keys.py "$T/rc-$mode" "$@" 2>"$T/pty-$mode.err"
}
ran() { grep -qxF -- "$1" "$T/bin/calls.log"; }
offered() { grep -qxF -- "$1" "$T/replies-$mode"; }

for mode in plain bash-completion; do
  if [ "$mode" != plain ] && [ ! -r "$BC" ]; then
    not_ok "$mode: $BC installed (scripts/deps.sh)"
    continue
  fi
  check "$mode: the shell took every line" shell "$mode" \
    'sluicectl rs del 198.18.0.100:80 \t\x15\n' \
    'sluicectl rs list 198.18.0.100:\t\n' \
    'sluicectl vip add 198.18.0.9:80 --sched=w\t\x15\n' \
    'sluicectl vip add 198.18.0.9:80 --sched=wr\t\n' \
    'sluicectl rs add 198.18.0.100:80 198.18.1.9:80 --pro\tu\t\n' \
    'sluicectl rs list [2001:db8::1\t\n' \
    'sluicectl rs del [2001:db8::100]:80 \t\n'
  [ -s "$T/pty-$mode.err" ] && echo "# terminal: $(tr -c '[:print:]' ' ' <"$T/pty-$mode.err" | tail -c 600)"
  check "$mode: 'rs del 198.18.0.100:80 <TAB>' offers its servers" \
    offered "198.18.1.11:8080 198.18.1.12:8080"
  check "$mode: 'rs list 198.18.0.100:<TAB>' completes the VIP" ran "rs list 198.18.0.100:80"
  check "$mode: '--sched=w<TAB>' offers wrr wlc" offered "wrr wlc"
  check "$mode: '--sched=wr<TAB>' completes --sched=wrr" ran "vip add 198.18.0.9:80 --sched=wrr"
  check "$mode: '--pro<TAB>u<TAB>' completes --proto=udp" ran "rs add 198.18.0.100:80 198.18.1.9:80 --proto=udp"
  check "$mode: 'rs list [2001:db8::1<TAB>' completes [2001:db8::100]:80" ran "rs list [2001:db8::100]:80"
  check "$mode: 'rs del [2001:db8::100]:80 <TAB>' completes its server" \
    ran "rs del [2001:db8::100]:80 [2001:db8:1::11]:8080"
done
pkg_end
