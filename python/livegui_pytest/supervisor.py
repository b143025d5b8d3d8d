"""A client of livegui-aut, the C++ supervisor of one AUT (harness/supervisor/).

The plugin never spawns or signals the AUT itself: livegui-aut does, through
the harness's AppHandle. This module starts livegui-aut in its own process
group (with PR_SET_PDEATHSIG = SIGTERM, and its request pipe closing, so it
stops the AUT's whole group and exits when pytest dies), talks to it over a
pipe — one JSON request per line, one reply per line, each read with a
deadline — and stops it: "stop" request, bounded wait, then SIGTERM to its
group, grace, SIGKILL, bounded wait.
"""

import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1


class SupervisorError(RuntimeError):
    """livegui-aut could not be started, did not answer in time, or refused a request."""

    def __init__(self, message, reply=None):
        super().__init__(message)
        self.reply = reply or {}


def _die_with_parent():
    # Runs in the child between fork and exec: no Python-level locks taken.
    # SIGTERM, not SIGKILL: livegui-aut ends its session on SIGTERM by
    # stopping the AUT's process group (SIGTERM, grace, SIGKILL), so what the
    # app started in its group goes with it; killed outright, it could not,
    # and the app's grandchildren outlived a SIGKILLed pytest.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:
        pass


def find_livegui_aut(explicit=None):
    """The livegui-aut binary: `explicit`, else $LIVEGUI_AUT_BIN (livegui-batch sets it to its own), else PATH."""
    for candidate in (explicit, os.environ.get("LIVEGUI_AUT_BIN")):
        if candidate:
            return candidate
    found = shutil.which("livegui-aut")
    if found:
        return found
    raise SupervisorError("livegui-aut not found: install livegui (cmake --install), put it on PATH, "
                          "or set LIVEGUI_AUT_BIN")


class AutSupervisor:
    """One livegui-aut process. `spec` is a TOML file with an [aut] table (None:
    $LIVEGUI_AUT_SPEC, as livegui-batch gives AUT entries)."""

    def __init__(self, spec=None, binary=None, start_timeout=30.0, env=None):
        argv = [find_livegui_aut(binary)]
        if spec:
            argv += ["--spec", str(spec)]
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                                      start_new_session=True, preexec_fn=_die_with_parent, env=env,
                                      bufsize=0)
        self._buffer = b""
        first = self._read_reply(start_timeout)
        if not first.get("ok"):
            self._stop_process(1.0)
            raise SupervisorError("livegui-aut could not load its spec: %s" % first.get("error"), first)

    @property
    def pid(self):
        return self._proc.pid

    def request(self, cmd, timeout, **fields):
        """Sends one request and returns its reply (a dict with "ok"). Raises
        SupervisorError when livegui-aut is gone or silent past `timeout` seconds."""
        fields["cmd"] = cmd
        try:
            self._proc.stdin.write((json.dumps(fields) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise SupervisorError("livegui-aut (pid %d) is gone: %s" % (self._proc.pid, e))
        return self._read_reply(timeout)

    def _read_reply(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SupervisorError("livegui-aut (pid %d) did not answer within %.1f s" % (self._proc.pid, timeout))
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                code = self._proc.poll()
                raise SupervisorError("livegui-aut (pid %d) exited (%s) without answering"
                                      % (self._proc.pid, "status %s" % code if code is not None else "pipe closed"))
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line.decode("utf-8", "replace"))
        except ValueError:
            raise SupervisorError("livegui-aut sent a line that is not JSON: %r" % line[:200])

    def stop(self, timeout=15.0):
        """Stops the AUT and livegui-aut (bounded). Never raises."""
        if self._proc.poll() is None:
            try:
                self.request("stop", timeout)
            except SupervisorError:
                pass
        self._stop_process(2.0)

    def _stop_process(self, grace):
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            # Its own group: pgid == pid, and it is our child (not yet reaped), so the id is still ours.
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
                try:
                    os.killpg(self._proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self._proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self._proc.stdout.close()
