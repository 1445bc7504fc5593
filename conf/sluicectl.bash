# bash completion for sluicectl                            -*- shell-script -*-
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2207,SC2086  # compgen output split into COMPREPLY on purpose (the bash-completion idiom); $verb $sub are zero or one word each
#
# Installed as $(PREFIX)/share/bash-completion/completions/sluicectl.
# Verbs and options come from sluicectl's own help texts, so they follow
# the binary; VIPs (VIP:PORT) and a VIP's servers (RS:PORT) are asked of
# the running daemon (`sluicectl --json vip list`, 1 s at most, on the
# socket the line names with -s/--socket). No daemon: no names, no
# message. IPv6 addresses are offered as [V6]:PORT, as sluicectl wants.
#
# bash splits words at ':' and '=' (COMP_WORDBREAKS), so COMP_WORDS holds
# "198.18.0.100" ":" "80": the line is read back whole (bash-completion's
# _get_comp_words_by_ref -n =:, or COMP_LINE up to COMP_POINT without
# it), and each reply loses the part of the word bash will not replace.

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
# servers of VIP:PORT as RS:PORT ([V6]:PORT for IPv6), from the indented
# JSON of `vip list` (each object's "vip"/"ip" comes before its "port").
_sluicectl_names() {
    local cmd=$1 want=${2:-}
    "$cmd" "${_sluicectl_sock[@]}" --timeout 1 --json vip list 2>/dev/null |
        awk -v want="$want" '
            /^ *"vip": "/ { split($0, a, "\""); addr = a[4]; kind = "vip"; next }
            /^ *"ip": "/  { split($0, a, "\""); addr = a[4]; kind = "rs"; next }
            /^ *"port": / && kind != "" {
                p = $2; sub(/,$/, "", p)
                if (index(addr, ":")) addr = "[" addr "]"
                if (kind == "vip") { vip = addr ":" p; if (want == "") print vip }
                else if (vip == want) print addr ":" p
                kind = ""
            }'
}

# _sluicectl_values CMD OPT CUR: the values of option OPT that complete
# CUR; status 1 when OPT takes no value known here.
_sluicectl_values() {
    local cmd=$1 opt=$2 cur=$3
    case $opt in
        -s | --socket | -w | --write) compgen -f -- "$cur" ;;
        --direction) compgen -W "rx tx both" -- "$cur" ;;
        --proto) compgen -W "tcp udp" -- "$cur" ;;
        --sched) compgen -W "rr wrr lc wlc sh mh" -- "$cur" ;;
        --check) compgen -W "tcp http udp none inherit" -- "$cur" ;;
        --on-down) compgen -W "keep flush" -- "$cur" ;;
        --announce-when) compgen -W "any all" -- "$cur" ;;
        --filtering) compgen -W "eif adf" -- "$cur" ;;
        --vip) compgen -W "$(_sluicectl_names "$cmd")" -- "$cur" ;;
        *) return 1 ;;
    esac
    return 0
}

# _sluicectl_line_words: words and cword from COMP_LINE up to COMP_POINT,
# split at blanks only; without COMP_LINE (called by hand), COMP_WORDS.
_sluicectl_line_words() {
    if [ -z "${COMP_LINE:-}" ]; then
        words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
    else
        local line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
        read -ra words <<<"$line"
        [[ -z $line || $line == *[[:blank:]] ]] && words+=("")
    fi
    cword=$((${#words[@]} - 1))
}

# _sluicectl_ltrim CUR: bash replaces only what follows the last
# COMP_WORDBREAKS character of CUR (':' or '=' here); drop what precedes
# it from every reply (bash-completion's __ltrim_colon_completions does
# this for ':' alone).
_sluicectl_ltrim() {
    local cur=$1 i pre=""
    for ((i = ${#cur} - 1; i >= 0; i--)); do
        if [[ $COMP_WORDBREAKS == *"${cur:i:1}"* ]]; then pre=${cur:0:i+1}; break; fi
    done
    [ -n "$pre" ] || return 0
    for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$pre"}; done
}

_sluicectl() {
    local cur prev words cword
    COMPREPLY=()
    if declare -F _get_comp_words_by_ref >/dev/null; then
        _get_comp_words_by_ref -n =: cur prev words cword
    else
        _sluicectl_line_words
        cur=${words[cword]}
        prev=""
        [ "$cword" -gt 0 ] && prev=${words[cword - 1]}
    fi
    _sluicectl_reply "$cur" "$prev"
    _sluicectl_ltrim "$cur"
}

# _sluicectl_reply CUR PREV: COMPREPLY for words[] up to cword.
_sluicectl_reply() {
    local cur=$1 prev=$2 cmd=${words[0]} i w verb="" sub="" npos=0 takes
    local -a pos=()
    _sluicectl_sock=()
    # Words before the cursor: the socket, the verb, positionals.
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
            -s | --socket) _sluicectl_sock=(-s "${words[i + 1]:-}"); i=$((i + 1)); continue ;;
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
    if [[ $cur == --*=* ]]; then
        # --opt=VALUE: the values, each after "--opt=".
        COMPREPLY=($(_sluicectl_values "$cmd" "${cur%%=*}" "${cur#*=}"))
        COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
        return
    fi
    if COMPREPLY=($(_sluicectl_values "$cmd" "$prev" "$cur")); then return; fi
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
