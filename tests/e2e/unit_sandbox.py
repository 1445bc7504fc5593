#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""unit_sandbox.py UNIT KEEP -- PROGRAM ARGS...: run PROGRAM (as root,
before setpriv and seccomp_exec.py drop what they drop) with the file
system view and resource limits UNIT's [Service] lines give a service
under systemd (tests/e2e/test_service_caps.sh; there is no systemd in
the lab). In a mount namespace of its own (and a UTS one for
ProtectHostname=), private propagation so nothing reaches the host:

  ProtectSystem=full    /usr, /boot, /efi and /etc read-only, submounts too
  ReadWritePaths=       each back read-write (@SYSCONFDIR@ is /etc)
  ProtectHome=yes       /home, /root, /run/user empty and mode 000
  PrivateTmp=yes        /tmp and /var/tmp empty tmpfs of its own; KEEP (a
                        directory under /tmp: the test's, holding the
                        notify socket systemd would have in /run) bound back
  ProtectKernelLogs=    /proc/kmsg and /dev/kmsg mode 000
  ProtectKernelModules= /usr/lib/modules mode 000
  ProtectControlGroups= /sys/fs/cgroup read-only
  ProtectHostname=yes   a UTS namespace
  LimitNAME=            setrlimit (infinity: unlimited), where allowed

systemd's "inaccessible" nodes are mode-000 ones here: without
CAP_DAC_OVERRIDE (not in the unit's bounding set) root cannot open
either. The system-call side of the same options is seccomp_exec.py's.

Every other [Service] line must be in SYSTEMD_ONLY (with why it cannot
be reproduced without systemd as PID 1) or BY_TEST (applied by the test
itself); an unknown line fails, so a new hardening line cannot go
untested. All in one process (mount(2) through ctypes, no mount/findmnt
commands): under load each command started cost a second, and the
unit's ExecStopPost (`sluice --cleanup`) runs under this too."""
import ctypes
import os
import resource
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seccomp_exec  # noqa: E402  the unit's parser, the lines it applies

MOUNT_SIDE = {"ProtectSystem", "ReadWritePaths", "ProtectHome", "PrivateTmp",
              "ProtectKernelLogs", "ProtectKernelModules", "ProtectControlGroups",
              "ProtectHostname"}
# Applied by test_service_caps.sh around this: setpriv --no-new-privs
# --bounding-set ... --ambient-caps -all.
BY_TEST = {"CapabilityBoundingSet", "AmbientCapabilities", "NoNewPrivileges"}
SYSTEMD_ONLY = {
    "Type": "systemd's side of sd_notify; notify_listen.py plays the socket (READY=1 checked)",
    "NotifyAccess": "systemd's filter on who may notify; the listener takes any sender",
    "ExecStart": "the test runs the same command line (-c CONFIG) through this",
    "ExecReload": "the test sends the SIGHUP itself",
    "ExecStopPost": "the test runs `sluice --cleanup` through this after SIGKILL",
    "Restart": "systemd's restart logic: no systemd as PID 1",
    "RestartSec": "systemd's restart logic: no systemd as PID 1",
    "TimeoutStartSec": "systemd's start timer: no systemd as PID 1",
    "RuntimeDirectory": "made by systemd; the lab's run directory stands in",
    "RuntimeDirectoryMode": "made by systemd; the lab's run directory stands in",
    "RuntimeDirectoryPreserve": "systemd's removal on stop; the lab removes its own",
    "StateDirectory": "made by systemd; the lab's config points elsewhere",
    "StateDirectoryMode": "made by systemd; the lab's config points elsewhere",
}

CLONE_NEWNS, CLONE_NEWUTS = 0x20000, 0x04000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
MNT_DETACH = 2
# Per-mount flags a bind remount must repeat, by their mountinfo names.
KEPT = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC,
        "noatime": 1024, "nodiratime": 2048, "relatime": 1 << 21}

libc = ctypes.CDLL(None, use_errno=True)


def say(msg):
    print(f"unit_sandbox: {msg}", file=sys.stderr, flush=True)


def check(rc, what):
    if rc != 0:
        sys.exit(f"unit_sandbox: {what}: {os.strerror(ctypes.get_errno())}")


def mount(src, target, fstype, flags, data=None):
    enc = (lambda v: v.encode() if v is not None else None)
    check(libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
          f"mount {src} on {target}")


def mounts_under(path):
    """Mount points at or below path, with the flags a remount keeps."""
    out = {}
    for line in open("/proc/self/mountinfo"):
        f = line.split()
        target = f[4].encode().decode("unicode_escape")
        if target == path or target.startswith(path.rstrip("/") + "/"):
            out[target] = sum(KEPT.get(o, 0) for o in f[5].split(","))
    return out


def set_rw(path, rw):
    """path and every mount below it read-only (rw False) or read-write."""
    if not os.path.exists(path):
        return
    mount(path, path, None, MS_BIND | MS_REC)
    for target, flags in mounts_under(path).items():
        mount(None, target, None, MS_REMOUNT | MS_BIND | flags | (0 if rw else MS_RDONLY))


def hide(path, blank):
    """An empty, mode-000 directory or file in path's place."""
    if os.path.isdir(path):
        mount("tmpfs", path, "tmpfs", MS_RDONLY, "mode=000,size=4k")
    elif os.path.exists(path):
        mount(blank, path, None, MS_BIND)


def private_tmp(keep, stage):
    """Fresh /tmp and /var/tmp, keep moved back in through stage."""
    held = os.path.join(stage, "keep")
    os.mkdir(held)
    mount(keep, held, None, MS_BIND)
    for t in ("/tmp", "/var/tmp"):
        mount("tmpfs", t, "tmpfs", 0, "mode=1777")
    os.makedirs(keep, exist_ok=True)
    mount(held, keep, None, MS_MOVE)


def refuse_unknown(unit, st):
    for name in st:
        if not (name in MOUNT_SIDE or name in BY_TEST or name in SYSTEMD_ONLY
                or name in seccomp_exec.HANDLED or name.startswith("Limit")):
            sys.exit(f"unit_sandbox: {unit}: {name}= is neither applied nor listed as systemd's "
                     "own (add it to tests/e2e/unit_sandbox.py)")


def apply_mounts(st, keep):
    last = {n: v[-1].replace("@SYSCONFDIR@", "/etc") for n, v in st.items()}
    yes = {n for n, v in last.items() if v == "yes"}
    check(libc.unshare(CLONE_NEWNS | (CLONE_NEWUTS if "ProtectHostname" in yes else 0)), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # A staging place outside /tmp (the host's /run: removed even when a
    # mount fails), detached before PROGRAM runs (what was bound from it
    # stays).
    stage = tempfile.mkdtemp(prefix="unit-sandbox.", dir="/run")
    try:
        mount("tmpfs", stage, "tmpfs", 0, "size=4k")
        try:
            blank = os.path.join(stage, "blank")
            os.close(os.open(blank, os.O_CREAT | os.O_WRONLY, 0))
            apply_view(last, yes, keep, stage, blank)
        finally:
            check(libc.umount2(stage.encode(), MNT_DETACH), f"umount {stage}")
    finally:
        os.rmdir(stage)


def apply_view(last, yes, keep, stage, blank):
    """The unit's lines, in the order systemd applies them."""
    if "PrivateTmp" in yes:
        private_tmp(keep, stage)
    system = last.get("ProtectSystem", "no")
    if system not in ("full", "no"):
        sys.exit(f"unit_sandbox: ProtectSystem={system}: only full is emulated")
    if system == "full":
        for p in ("/usr", "/boot", "/efi", "/etc"):
            set_rw(p, False)
    for p in last.get("ReadWritePaths", "").split():
        p = p.lstrip("-")
        if os.path.exists(p):
            set_rw(p, True)
        else:
            say(f"ReadWritePaths: {p} does not exist here")
    if "ProtectHome" in yes:
        here = os.path.realpath(__file__)
        for p in ("/home", "/root", "/run/user"):
            # The tree itself under one of them (a developer's checkout):
            # left visible, said, so the program can still be run.
            if here.startswith(p + "/"):
                say(f"ProtectHome: {p} holds this tree, left visible")
            else:
                hide(p, blank)
    if "ProtectKernelLogs" in yes:
        hide("/proc/kmsg", blank)
        hide("/dev/kmsg", blank)
    if "ProtectKernelModules" in yes:
        hide("/usr/lib/modules", blank)
    if "ProtectControlGroups" in yes:
        set_rw("/sys/fs/cgroup", False)


def apply_limits(st):
    """Each Limit*= set when this process may (CAP_SYS_RESOURCE): a test run
    in a container without it keeps the limit it has, and says so."""
    raised = []
    for name, values in st.items():
        if not name.startswith("Limit"):
            continue
        which = getattr(resource, "RLIMIT_" + name[5:].upper(), None)
        if which is None:
            sys.exit(f"unit_sandbox: {name}=: no such resource limit here")
        v = values[-1]
        n = resource.RLIM_INFINITY if v == "infinity" else int(v)
        try:
            resource.setrlimit(which, (n, n))
            raised.append(f"{name}={v}")
        except (ValueError, OSError):
            say(f"{name}={v}: cannot be raised here (no CAP_SYS_RESOURCE); "
                f"kept at {resource.getrlimit(which)}")
    return raised


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: unit_sandbox.py UNIT KEEP -- PROGRAM ARGS...")
    unit, keep = sys.argv[1], sys.argv[2]
    st = seccomp_exec.unit_settings(unit)
    refuse_unknown(unit, st)
    apply_mounts(st, keep)
    raised = apply_limits(st)
    say(f"mounts of {unit} applied; limits: {', '.join(raised) or 'none raised'}")
    os.execvp(sys.argv[4], sys.argv[4:])


if __name__ == "__main__":
    main()
