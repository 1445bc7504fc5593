#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""unit_sandbox.py UNIT KEEP -- PROGRAM ARGS...: run PROGRAM (as root,
before setpriv and seccomp_exec.py drop what they drop) with the file
system view and resource limits UNIT's [Service] lines give a service
under systemd (tests/e2e/unit_lib.sh, for test_service_caps.sh and
test_deb_service.sh; there is no systemd in the lab). In a mount namespace of its own (and a UTS one for
ProtectHostname=), private propagation so nothing reaches the host:

  ProtectSystem=yes     /usr, /boot, /efi read-only, submounts too; full:
                        /etc too (strict is refused: not emulated)
  ReadWritePaths=       each back read-write (@SYSCONFDIR@ is /etc); a path
                        missing without a "-" prefix fails, as systemd fails
                        the unit (226/NAMESPACE)
  ProtectHome=yes       /home, /root, /run/user empty and mode 000
                        (read-only and tmpfs are refused: not emulated)
  PrivateTmp=yes        /tmp and /var/tmp empty tmpfs of its own; KEEP (a
                        directory under /tmp: the test's, holding the
                        notify socket systemd would have in /run) bound back,
                        and this tree when it lies under /tmp (a CI clone)
  ProtectKernelLogs=    /proc/kmsg and /dev/kmsg mode 000
  ProtectKernelModules= /usr/lib/modules mode 000
  ProtectControlGroups= /sys/fs/cgroup read-only when it is a mount here;
                        under `ip netns exec` (the lab) /sys is a fresh
                        sysfs without it: said, not exercised
  ProtectHostname=yes   a UTS namespace
  LimitNAME=            setrlimit (infinity: unlimited), where allowed

"yes" is any of systemd's boolean spellings; any other value of these
lines exits naming the line (seccomp_exec.setting). systemd's
"inaccessible" nodes are mode-000 ones here: without
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
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seccomp_exec  # noqa: E402  the unit's parser, the lines it applies

MOUNT_SIDE = {"ProtectSystem", "ReadWritePaths", "ProtectHome", "PrivateTmp",
              "ProtectKernelLogs", "ProtectKernelModules", "ProtectControlGroups",
              "ProtectHostname"}
# Applied by unit_lib.sh's chain around this: setpriv --no-new-privs
# --bounding-set ... --ambient-caps -all.
BY_TEST = {"CapabilityBoundingSet", "AmbientCapabilities", "NoNewPrivileges"}
SYSTEMD_ONLY = {
    "Type": "systemd's side of sd_notify; notify_listen.py plays the socket (READY=1 checked)",
    "NotifyAccess": ("systemd's filter on who may notify; the test checks every message "
                     "came from sluice's own pid"),
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


def under_tmp(path):
    return any(path.startswith(t + "/") for t in ("/tmp", "/var/tmp"))


def private_tmp(keep, stage):
    """Fresh /tmp and /var/tmp, keep moved back in through stage. This
    tree too when it lies under /tmp (a CI clone): an installed sluice
    lives in /usr, so the tree stands in for it and must stay visible."""
    tree = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    back = [keep] + ([tree] if under_tmp(tree) else [])
    for i, path in enumerate(back):
        held = os.path.join(stage, f"keep{i}")
        os.mkdir(held)
        mount(path, held, None, MS_BIND)
    for t in ("/tmp", "/var/tmp"):
        mount("tmpfs", t, "tmpfs", 0, "mode=1777")
    for i, path in enumerate(back):
        os.makedirs(path, exist_ok=True)
        mount(os.path.join(stage, f"keep{i}"), path, None, MS_MOVE)
    if len(back) > 1:
        say(f"PrivateTmp: {tree} holds this tree, bound back in")


def refuse_unknown(unit, st):
    for name in st:
        if not (name in MOUNT_SIDE or name in BY_TEST or name in SYSTEMD_ONLY
                or name in seccomp_exec.HANDLED or name.startswith("Limit")):
            sys.exit(f"unit_sandbox: {unit}: {name}= is neither applied nor listed as systemd's "
                     "own (add it to tests/e2e/unit_sandbox.py)")


def apply_mounts(unit, st, keep):
    yes = {n for n in ("PrivateTmp", "ProtectHostname", "ProtectHome", "ProtectKernelLogs",
                       "ProtectKernelModules", "ProtectControlGroups")
           if seccomp_exec.setting(unit, st, n)}
    system = seccomp_exec.setting(unit, st, "ProtectSystem", ("full",))
    rw_paths = " ".join(st.get("ReadWritePaths", [])).replace("@SYSCONFDIR@", "/etc").split()
    for p in rw_paths:
        if not p.startswith("-") and not os.path.exists(p):
            sys.exit(f"{unit}:{seccomp_exec.LINE_OF[unit, 'ReadWritePaths']}: ReadWritePaths={p}: "
                     "no such path (systemd fails the unit: 226/NAMESPACE; prefix it "
                     "with - to make it optional)")
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
            apply_view(yes, system, rw_paths, keep, stage, blank)
        finally:
            check(libc.umount2(stage.encode(), MNT_DETACH), f"umount {stage}")
    finally:
        os.rmdir(stage)


def apply_view(yes, system, rw_paths, keep, stage, blank):
    """The unit's lines, in the order systemd applies them. system: False,
    True (ProtectSystem=yes) or "full"."""
    if "PrivateTmp" in yes:
        private_tmp(keep, stage)
    if system:
        for p in ("/usr", "/boot", "/efi") + (("/etc",) if system == "full" else ()):
            set_rw(p, False)
    for p in rw_paths:
        if os.path.exists(p.lstrip("-")):
            set_rw(p.lstrip("-"), True)
        else:
            say(f"ReadWritePaths: optional {p} does not exist here")
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
        if "/sys/fs/cgroup" in mounts_under("/sys/fs/cgroup"):
            set_rw("/sys/fs/cgroup", False)
        else:
            say("ProtectControlGroups: not exercised here: /sys/fs/cgroup is not a mount "
                "(ip netns exec mounts a fresh sysfs for the namespace)")


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
    # timeout(1) sends TERM: leave through apply_mounts' finally, which
    # removes the staging directory in the host's /run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("unit_sandbox: terminated"))
    st = seccomp_exec.unit_settings(unit)
    refuse_unknown(unit, st)
    apply_mounts(unit, st, keep)
    raised = apply_limits(st)
    say(f"mounts of {unit} applied; limits: {', '.join(raised) or 'none raised'}")
    os.execvp(sys.argv[4], sys.argv[4:])


if __name__ == "__main__":
    main()
