# bash completion for sluicectl                            -*- shell-script -*-
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2207,SC2086  # compgen output split into COMPREPLY on purpose (the bash-completion idiom); $verb $sub are zero or one word each
#
# Installed as $(PREFIX)/share/bash-completion/completions/sluicectl.
# Verbs and options come from sluicectl's own help texts, so they follow
# the binary; VIPs (VIP:PORT) and a VIP's servers (RS:PORT) are asked of
# the running daemon (`sluicectl --json vip list`, 1 s at most, on the
# socket the line names with -s/--socket). No daemon: no names, no
# message.

# _sluicectl_help CMD WORDS...: the help text of `CMD WORDS... --help`.
_sluicectl_help() {
    local cmd=$1
    shift
    "$cmd" "$@" --help 2>/dev/null
}

# _sluicectl_verbs CMD [VERB]: the verbs (or VERB's subcommands) the
# top-level help lists under "Commands:".
_sluicectl_verbs() {
    _sluicectl_help "$1" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\)\( \([a-z][a-z-]*\)\)\{0,1\}.*/\1 \3/p' |
        if [ -n "${2:-}" ]; then awk -v v="$2" '$1 == v && $2 != "" { print $2 }'; else awk '{ print $1 }'; fi |
        sort -u
}

# _sluicectl_options CMD WORDS...: "--opt" or "--opt=" (takes a value)
# for each option the help of WORDS names.
_sluicectl_options() {
    local cmd=$1
    shift
    _sluicectl_help "$cmd" "$@" |
        sed -n 's/^ \{1,6\}\(-[a-z], \)\{0,1\}\(--[a-z][a-z-]*\)\(\[=[^]]*\]\)\{0,1\}\( [A-Za-z][^ ]*\)\{0,1\}.*/\2 \4/p' |
        awk '{ print ($2 == "" ? $1 : $1 "=") }' | sort -u
}

# _sluicectl_names CMD [VIP:PORT]: the daemon's VIPs as VIP:PORT, or the
# servers of VIP:PORT as RS:PORT, from the indented JSON of `vip list`
# (each object's "vip"/"ip" comes before its "port").
_sluicectl_names() {
    local cmd=$1 want=${2:-}
    "$cmd" "${_sluicectl_sock[@]}" --timeout 1 --json vip list 2>/dev/null |
        awk -v want="$want" '
            /^ *"vip": "/ { split($0, a, "\""); addr = a[4]; kind = "vip"; next }
            /^ *"ip": "/  { split($0, a, "\""); addr = a[4]; kind = "rs"; next }
            /^ *"port": / && kind != "" {
                p = $2; sub(/,$/, "", p)
                if (kind == "vip") { vip = addr ":" p; if (want == "") print vip }
                else if (vip == want) print addr ":" p
                kind = ""
            }'
}

_sluicectl() {
    local cur prev cmd=${COMP_WORDS[0]} i w verb="" sub="" npos=0 takes
    local -a pos=()
    _sluicectl_sock=()
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=""
    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # Words before the cursor: the socket, the verb, positionals.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            -s | --socket) _sluicectl_sock=(-s "${COMP_WORDS[i + 1]:-}"); i=$((i + 1)); continue ;;
            --socket=*) _sluicectl_sock=(-s "${w#--socket=}"); continue ;;
            --*=*) continue ;;
            -w) i=$((i + 1)); continue ;;  # capture's file (--write FILE below)
            -*)
                takes=$(_sluicectl_options "$cmd" $verb $sub | grep -x -- "$w=")
                [ -n "$takes" ] && i=$((i + 1))
                continue ;;
        esac
        if [ -z "$verb" ]; then verb=$w
        elif [ -z "$sub" ] && [ -n "$(_sluicectl_verbs "$cmd" "$verb")" ]; then sub=$w
        else pos+=("$w")
        fi
    done
    npos=${#pos[@]}
    case $prev in
        -s | --socket | -w | --write) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --direction) COMPREPLY=($(compgen -W "rx tx both" -- "$cur")); return ;;
        --proto) COMPREPLY=($(compgen -W "tcp udp" -- "$cur")); return ;;
        --sched) COMPREPLY=($(compgen -W "rr wrr lc wlc sh mh" -- "$cur")); return ;;
        --check) COMPREPLY=($(compgen -W "tcp http udp none inherit" -- "$cur")); return ;;
        --on-down) COMPREPLY=($(compgen -W "keep flush" -- "$cur")); return ;;
        --announce-when) COMPREPLY=($(compgen -W "any all" -- "$cur")); return ;;
        --filtering) COMPREPLY=($(compgen -W "eif adf" -- "$cur")); return ;;
        --vip) COMPREPLY=($(compgen -W "$(_sluicectl_names "$cmd")" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        # The command's own options and the global ones (anywhere on the line).
        COMPREPLY=($(compgen -W "$({ _sluicectl_options "$cmd" $verb $sub
            [ -n "$verb" ] && _sluicectl_options "$cmd"; } | sort -u)" -- "$cur"))
        [[ ${COMPREPLY[0]:-} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi
    if [ -z "$verb" ]; then
        COMPREPLY=($(compgen -W "$(_sluicectl_verbs "$cmd")" -- "$cur"))
        return
    fi
    if [ -z "$sub" ] && [ -n "$(_sluicectl_verbs "$cmd" "$verb")" ]; then
        COMPREPLY=($(compgen -W "$(_sluicectl_verbs "$cmd" "$verb")" -- "$cur"))
        return
    fi
    case "$verb $sub/$npos" in
        "vip set/0" | "vip del/0" | "rs "*/0)
            COMPREPLY=($(compgen -W "$(_sluicectl_names "$cmd")" -- "$cur")) ;;
        "rs del/1" | "rs set/1")
            COMPREPLY=($(compgen -W "$(_sluicectl_names "$cmd" "${pos[0]}")" -- "$cur")) ;;
        "config apply/0" | "config save/0")
            COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}
complete -F _sluicectl sluicectl
