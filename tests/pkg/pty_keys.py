#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Type keys into a real interactive bash on a pseudo-terminal.

    pty_keys.py RCFILE CHUNK...

Starts `bash --noprofile --rcfile RCFILE -i` on a pty (INPUTRC=/dev/null,
TERM=dumb; RCFILE sets PS1 to PS1 below), waits for its first prompt, then types each CHUNK (Python
escapes: \\t is TAB, \\x15 is Ctrl-U) and waits for the prompt that
follows it before the next: readline, not the terminal's line discipline,
sees every key. A prompt is PROMPT_COMMAND's numbered mark (PS1 alone is
redrawn within a line) followed by PS1, which readline prints once the
terminal is its own: a key typed before would meet the line discipline
(Ctrl-U would erase the line there). Then `exit`. Exit 0 when
every prompt came within 10 s; else 1, with what the terminal showed on
stderr.
Used by tests/pkg/test_completion_pty.sh.
"""
import os
import pty
import select
import sys
import time

MARK = "<sl-ready %d>"
PS1 = "<sl-ps1>"


def main():
    rcfile, chunks = sys.argv[1], sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="dumb", INPUTRC="/dev/null",
                          PROMPT_COMMAND='_sl_n=$((_sl_n + 1)); echo "<sl-ready $_sl_n>"')
        os.execvp("bash", ["bash", "--noprofile", "--rcfile", rcfile, "-i"])
    seen = b""

    def read_some():
        nonlocal seen
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the shell has gone
                return False
        return True

    def wait_prompts(n):
        end = time.time() + 10
        mark = (MARK % n).encode()

        def prompted():
            i = seen.find(mark)
            return i >= 0 and seen.find(PS1.encode(), i) > i

        while not prompted() and time.time() < end and read_some():
            pass
        return prompted()

    ok = wait_prompts(1)
    for i, chunk in enumerate(chunks):
        if not ok:
            break
        os.write(fd, chunk.encode().decode("unicode_escape").encode())
        ok = wait_prompts(i + 2)
    os.write(fd, b"exit\n")
    end = time.time() + 5
    while time.time() < end:
        if os.waitpid(pid, os.WNOHANG)[0]:
            break
        read_some()
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    if not ok:
        sys.stderr.write(seen.decode(errors="replace"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
