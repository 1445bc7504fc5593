#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of check_layout.py: a checker that never fails proves nothing.
# On a copy of the source folders (dataplane, ctrl, drivers: .c/.h/README.md;
# tests/lib) the clean copy must pass, then each planted violation, one at a
# time, must fail the checker with a "not ok" line naming the planted file
# (and more such lines than the clean copy had). The object check runs on
# tiny compiled pairs: a symbol circle must fail, a one-way pair must pass.
#
#   tests/layout/test_check_layout.sh [SOURCE_ROOT]   (default: this repo)
#
# Output: "ok - CASE" / "not ok - CASE" lines, then "N passed, N failed";
# exit 1 when any case failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:-$here/../..}" && pwd) || exit 1
checker=$here/check_layout.py
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layout-selftest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }
# diag FILE: the checker's "not ok" lines, as comments
diag() { grep '^not ok - ' "$1" | head -n 20 | sed 's/^/#   /'; }
# count_naming OUT FILE: "not ok" lines of OUT that name FILE
count_naming() { awk -v f="$2" 'index($0, "not ok - ") == 1 && index($0, f) { n++ } END { print n + 0 }' "$1"; }

# ------------------------------------------------------------ the copy
pristine=$tmp/pristine work=$tmp/work
mkdir -p "$pristine"
(cd "$src" && find dataplane ctrl drivers tests/lib -type f \
  \( -name '*.c' -o -name '*.h' -o -name README.md \) -print0 2>/dev/null |
  xargs -0 -r cp --parents -p -t "$pristine") || { echo "not ok - copy $src"; exit 1; }

fresh() { rm -rf "$work" && cp -a "$pristine" "$work"; }
check() { python3 "$checker" --root "$work" --no-objects >"$1" 2>&1; }

fresh
st=0
check "$tmp/base.out" || st=$?
if [ "$st" -eq 0 ] && grep -q '^ok - ' "$tmp/base.out"; then
  ok "clean copy passes the source checks"
else
  not_ok "clean copy passes the source checks (exit status $st)"
  diag "$tmp/base.out"
fi

# need WHAT FILE...: the plant's targets must be there, else the case fails
need() {
  local what=$1 f
  shift
  for f in "$@"; do
    if [ ! -e "$work/$f" ]; then
      not_ok "$what (cannot plant: no $f in the copy)"
      return 1
    fi
  done
}
# have_header NAME: some source folder of the copy has NAME
have_header() { [ -n "$(find "$work" -name "$1" -print -quit)" ]; }

# expect_caught CASE FILE: after planting, the checker fails and names FILE
expect_caught() {
  local what=$1 file=$2 st=0 n base
  check "$tmp/case.out" || st=$?
  n=$(count_naming "$tmp/case.out" "$file")
  base=$(count_naming "$tmp/base.out" "$file")
  if [ "$st" -ne 0 ] && [ "$n" -gt "$base" ]; then
    ok "$what"
  else
    not_ok "$what (exit status $st, $n \"not ok\" lines name $file, $base before planting)"
    # only what the plant changed: the clean copy's failures are above
    grep -vxF -f "$tmp/base.out" "$tmp/case.out" | grep '^not ok - ' | sed 's/^/#   new: /'
  fi
}

# plant_include CASE FILE HEADER: #include "HEADER" as FILE's first line
plant_include() {
  local what=$1 file=$2 h=$3
  fresh
  need "$what" "$file" || return
  if ! have_header "$h"; then not_ok "$what (cannot plant: no $h in the copy)"; return; fi
  sed -i "1i #include \"$h\"" "$work/$file"
  expect_caught "$what" "$file"
}

# ------------------------------------------------------------ planted
what="a. <rte_mbuf.h> in the packet core (dataplane/core/csum.c)"
fresh
if need "$what" dataplane/core/csum.c; then
  printf '#include <rte_mbuf.h>\n' >>"$work/dataplane/core/csum.c"
  expect_caught "$what" dataplane/core/csum.c
fi

plant_include 'b. core -> workers: "worker.h" in dataplane/core/csum.c' dataplane/core/csum.c worker.h
plant_include 'c. workers -> daemon: "ctl.h" in dataplane/worker.c' dataplane/worker.c ctl.h
plant_include 'd. cli -> daemon: "server.h" in ctrl/cli/sluicectl.c' ctrl/cli/sluicectl.c server.h
plant_include 'e. drivers -> config: "model.h" in drivers/port.c' drivers/port.c model.h

what="f. a .c file of 601 lines (ctrl/config/planted_long.c)"
fresh
if need "$what" ctrl/config; then
  seq 601 | sed 's|.*|/* line & */|' >"$work/ctrl/config/planted_long.c"
  expect_caught "$what" ctrl/config/planted_long.c
fi

what="g. two headers including each other (dataplane/core/planted_cyc_*.h)"
fresh
if need "$what" dataplane/core; then
  printf '#include "planted_cyc_b.h"\n' >"$work/dataplane/core/planted_cyc_a.h"
  printf '#include "planted_cyc_a.h"\n' >"$work/dataplane/core/planted_cyc_b.h"
  expect_caught "$what" dataplane/core/planted_cyc_a.h
fi

what="h. no **May include:** line in ctrl/common/README.md"
fresh
if need "$what" ctrl/common/README.md; then
  if grep -q '\*\*May include:\*\*' "$work/ctrl/common/README.md"; then
    sed -i '/\*\*May include:\*\*/d' "$work/ctrl/common/README.md"
    expect_caught "$what" ctrl/common/README.md
  else
    not_ok "$what (cannot plant: the copy's README has no such line to remove)"
  fi
fi

# ------------------------------------------------------------ objects
# A tree of its own: dataplane/a.c, b.c (build/obj) and ctrl/cli/c.c
# (build/cli), each object next to its source's path as the Makefile does.
objs=$tmp/objs
mkdir -p "$objs/dataplane" "$objs/ctrl/cli"
objcheck() { python3 "$checker" --root "$objs" --build "$objs/build" --objects-only >"$1" 2>&1; }
# build_pair B_CALLS_A CFLAGS...: a.c calls b_fn; b.c calls a_fn when asked
build_pair() {
  local b_calls_a=$1 st=0
  shift
  rm -rf "$objs/build"
  mkdir -p "$objs/build/obj/dataplane" "$objs/build/cli/ctrl/cli"
  cat >"$objs/dataplane/a.c" <<'EOF'
void a_fn(void);
void b_fn(void);
void a_fn(void) { b_fn(); }
EOF
  if [ "$b_calls_a" = 1 ]; then
    printf 'void a_fn(void);\nvoid b_fn(void);\nvoid b_fn(void) { a_fn(); }\n' >"$objs/dataplane/b.c"
  else
    printf 'void b_fn(void);\nvoid b_fn(void) { }\n' >"$objs/dataplane/b.c"
  fi
  printf 'int c_fn(void);\nint c_fn(void) { return 0; }\n' >"$objs/ctrl/cli/c.c"
  cc "$@" -c "$objs/dataplane/a.c" -o "$objs/build/obj/dataplane/a.o" &&
    cc "$@" -c "$objs/dataplane/b.c" -o "$objs/build/obj/dataplane/b.o" &&
    cc "$@" -c "$objs/ctrl/cli/c.c" -o "$objs/build/cli/ctrl/cli/c.o" || st=$?
  return "$st"
}

# expect_circle CASE CFLAGS...
expect_circle() {
  local what=$1 st=0
  shift
  if ! build_pair 1 "$@" 2>"$tmp/cc.err"; then
    not_ok "$what (cc failed)"
    sed 's/^/#   /' "$tmp/cc.err"
    return
  fi
  objcheck "$tmp/obj.out" || st=$?
  if [ "$st" -ne 0 ] && grep '^not ok - ' "$tmp/obj.out" | grep 'dataplane/a' | grep -q 'dataplane/b'; then
    ok "$what"
  else
    not_ok "$what (exit status $st)"
    sed 's/^/#   /' "$tmp/obj.out"
  fi
}
expect_circle "i. symbol circle a.o <-> b.o (cc -c)"
expect_circle "i. symbol circle a.o <-> b.o (cc -c -O2 -flto -ffat-lto-objects, as built)" \
  -O2 -flto -ffat-lto-objects

what="i. no symbol circle when b.o does not call a.o"
st=0
if ! build_pair 0 2>"$tmp/cc.err"; then
  not_ok "$what (cc failed)"
  sed 's/^/#   /' "$tmp/cc.err"
elif objcheck "$tmp/obj.out" && ! grep -q '^not ok - ' "$tmp/obj.out" &&
  grep -q '^ok - build/obj: no symbol circle among 2 objects' "$tmp/obj.out"; then
  ok "$what"
else
  not_ok "$what"
  sed 's/^/#   /' "$tmp/obj.out"
fi

# j. a call into a folder the README does not allow (a hand-written
# prototype, so no include shows it): dataplane/b.c calls ctrl/daemon/d.c.
what="j. a call from dataplane into ctrl/daemon (prototype, no include)"
st=0
if build_pair 0 2>"$tmp/cc.err" && mkdir -p "$objs/ctrl/daemon" "$objs/build/obj/ctrl/daemon" &&
  printf '**May include:** nothing outside this folder\n' >"$objs/dataplane/README.md" &&
  printf 'void d_fn(void);\nvoid b_fn(void);\nvoid b_fn(void) { d_fn(); }\n' >"$objs/dataplane/b.c" &&
  printf 'void d_fn(void);\nvoid d_fn(void) { }\n' >"$objs/ctrl/daemon/d.c" &&
  cc -c "$objs/dataplane/b.c" -o "$objs/build/obj/dataplane/b.o" &&
  cc -c "$objs/ctrl/daemon/d.c" -o "$objs/build/obj/ctrl/daemon/d.o" 2>>"$tmp/cc.err"; then
  objcheck "$tmp/obj.out" || st=$?
  if [ "$st" -ne 0 ] && grep -q '^not ok - build/obj: calls between folders' "$tmp/obj.out" &&
    grep -q 'dataplane/b -> ctrl/daemon/d (d_fn)' "$tmp/obj.out"; then
    ok "$what"
  else
    not_ok "$what (exit status $st)"
    sed 's/^/#   /' "$tmp/obj.out"
  fi
else
  not_ok "$what (cc failed)"
  sed 's/^/#   /' "$tmp/cc.err"
fi
rm -rf "$objs/ctrl/daemon" "$objs/dataplane/README.md"

what="i. no objects at all fails (build first)"
rm -rf "$objs/build"
mkdir -p "$objs/build"
st=0
objcheck "$tmp/obj.out" || st=$?
if [ "$st" -ne 0 ] && grep -q '^not ok - .*build first' "$tmp/obj.out"; then
  ok "$what"
else
  not_ok "$what (exit status $st)"
  sed 's/^/#   /' "$tmp/obj.out"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
