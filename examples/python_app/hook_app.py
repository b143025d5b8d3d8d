#!/usr/bin/env python3
"""A minimal app in Python that speaks the livegui hook protocol.

Standard library only. It has no GUI toolkit: a "main loop" thread ticks at a
fixed rate the way a toolkit's event loop would, advancing the frame counter
and running queued actions, and a ThreadPoolExecutor plays the app's io pool.
The point is to show that docs/hook-protocol.md is enough to make any app
drivable by livegui.

Widgets: clicks new_project, increment; sets name, work_ms (the main loop is
busy that many ms on the request: slow but healthy GUI work).

Faults (POST /debug/fault, with --enable-faults):
  assert  the main loop raises AssertionError and stops; the executor is shut
          down ("cannot schedule new futures after shutdown"); the server lives
  hang    the main loop blocks forever (GET /debug/stacks shows where)
  crash   os.abort()  (SIGABRT)
  exit    os._exit(code), code defaults to 3
crash and exit end the process right after their reply is sent (from the
request's thread, not at the main loop's next tick); the reply says
"ends_process": true so a client can wait for the death.
"""

import argparse
import hmac
import json
import os
import queue
import signal
import socket
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PROTOCOL_VERSION = 1
ROUTES = ("/health", "/state", "/value", "/screenshot", "/click", "/set", "/shutdown", "/debug/fault",
          "/debug/stacks")


class ActionError(Exception):
    def __init__(self, status, message, degraded=False):
        super().__init__(message)
        self.status = status
        self.degraded = degraded


class App:
    """State owned by the main-loop thread; actions reach it through a queue."""

    def __init__(self, fps, job_ms, stall_threshold_ms, action_timeout_ms=2000):
        self.period = 1.0 / fps
        self.job_s = job_ms / 1000.0
        self.stall_threshold = stall_threshold_ms / 1000.0
        # How long an action may wait to start, how long a started one may run
        # before its reply says "started, result unknown" (202), and how long
        # one action may keep the loop busy before it counts as stalled.
        self.action_timeout = action_timeout_ms / 1000.0
        self.values = {"project": "untitled", "name": "", "counter": 0}
        self.projects_created = 0
        self.frame = 0
        self.last_frame_time = time.monotonic()  # last sign of life: a frame or the end of an action
        self.busy_since = None  # set while the loop executes a queued action
        self.problems = []
        self.loop_stopped = False
        self.quit = threading.Event()
        self.actions = queue.Queue()
        self.action_lock = threading.Lock()  # taking an action vs cancelling it
        self.mailbox = queue.Queue()
        self.pending_fault = None
        self.lock = threading.Lock()
        self.snapshot = self.state_json()
        self.io_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="io")

    # --- main-loop side -------------------------------------------------
    def state_json(self):
        return {"frame": self.frame, "values": dict(self.values),
                "projects_created": self.projects_created}

    def run(self, announce):
        announced = False
        while not self.quit.is_set():
            start = time.monotonic()
            try:
                self.tick()
            except AssertionError as e:
                # A toolkit loop swallows the exception and stops iterating;
                # shutdown hooks close the io pool; the server thread lives on.
                self.io_pool.shutdown(wait=False)
                with self.lock:
                    self.problems.append("io pool shut down: cannot schedule new futures after shutdown")
                    self.problems.append("main loop not running: assertion failed: %s (frame %d)" % (e, self.frame))
                    self.loop_stopped = True
                self.fail_pending("main loop not running")
                print("hook_app: assertion failed in frame %d: %s" % (self.frame, e), file=sys.stderr, flush=True)
                self.quit.wait()
                return
            if not announced:
                announce()
                announced = True
            left = self.period - (time.monotonic() - start)
            if left > 0:
                self.quit.wait(left)

    def tick(self):
        while True:
            try:
                self.mailbox.get_nowait()()
            except queue.Empty:
                break
        fault = self.pending_fault
        if fault is not None:
            self.pending_fault = None
            self.fire(fault)
        while True:
            try:
                action, done = self.actions.get_nowait()
            except queue.Empty:
                break
            with self.action_lock:  # either cancelled (never runs) or started (its waiter waits)
                if done["cancelled"]:
                    continue
                done["started"] = (time.monotonic(), self.frame)
            with self.lock:
                self.busy_since = time.monotonic()  # busy on a client's request, not stalled
            try:
                action()
                done["result"] = (200, {"ok": True, "frame": self.frame})
            except ActionError as e:
                done["result"] = (e.status, {"error": str(e), "degraded": e.degraded})
            except Exception as e:  # an app bug in one action must not kill the loop
                done["result"] = (500, {"error": "action failed: %s" % e, "degraded": False})
            finally:
                with self.lock:
                    self.busy_since = None
                    self.last_frame_time = time.monotonic()  # back from the action: alive
                    self.snapshot = self.state_json()
            done["event"].set()  # the reply goes out after the snapshot shows its effect
        with self.lock:
            self.frame += 1
            self.last_frame_time = time.monotonic()
            self.snapshot = self.state_json()

    def fire(self, fault):
        kind, code = fault
        print("hook_app: injected fault '%s' fires now" % kind, file=sys.stderr, flush=True)
        if kind == "assert":
            # raised, not `assert`: python3 -O would strip an assert statement
            raise AssertionError("simulation state consistent")
        if kind == "hang":
            threading.Event().wait()
        if kind == "crash":
            os.abort()
        if kind == "exit":
            sys.stdout.flush()
            os._exit(code)

    def new_project(self):
        name = self.values["name"]

        def job():
            time.sleep(self.job_s)  # simulated io

            def done():
                self.projects_created += 1
                self.values["project"] = name or "project-%d" % self.projects_created
            self.mailbox.put(done)
        try:
            self.io_pool.submit(job)
        except RuntimeError as e:  # "cannot schedule new futures after shutdown"
            raise ActionError(503, str(e), degraded=True)

    # --- server side ------------------------------------------------------
    def reasons(self):
        with self.lock:
            out = list(self.problems)
            if self.loop_stopped:
                return out
            now = time.monotonic()
            if self.busy_since is not None:
                # Inside a client's action: busy, not stalled, within the bound.
                busy = now - self.busy_since
                if busy > self.action_timeout:
                    out.append("main loop stalled: inside one queued action for %d ms (allowed: %d ms; last frame %d)"
                               % (busy * 1000, self.action_timeout * 1000, self.frame))
                return out
            age = now - self.last_frame_time
            if age > self.stall_threshold:
                out.append("main loop stalled: no frame for %d ms (last frame %d)" % (age * 1000, self.frame))
        return out

    def health(self):
        reasons = self.reasons()
        with self.lock:
            now = time.monotonic()
            age_ms = int((now - self.last_frame_time) * 1000)
            busy_ms = int((now - self.busy_since) * 1000) if self.busy_since is not None else 0
            frame = self.frame
        return {"protocol_version": PROTOCOL_VERSION, "app": "python_hook_app",
                "status": "degraded" if reasons else "ok", "pid": os.getpid(),
                "frame": frame, "last_frame_age_ms": age_ms, "busy_ms": busy_ms, "reasons": reasons}

    def run_on_loop(self, action):
        """Runs `action` on the main loop; the reply says whether it ran (protocol section 3)."""
        timeout = self.action_timeout
        reasons = self.reasons()
        if reasons:
            return 503, {"error": "; ".join(reasons), "degraded": True}
        done = {"event": threading.Event(), "cancelled": False, "started": None}
        self.actions.put((action, done))
        deadline = time.monotonic() + timeout
        while not done["event"].wait(0.02):
            with self.action_lock:
                started = done["started"]
            if started is not None:
                # The loop is busy on this request: wait for its result, within
                # the bound counted from its start.
                started_at, frame = started
                ran = time.monotonic() - started_at
                if ran < timeout:
                    continue
                return 202, {"ok": False, "started": True, "frame": frame, "degraded": bool(self.reasons()),
                             "error": "the GUI thread started the action in frame %d but it had not finished "
                                      "after %d ms; whether it took effect is unknown" % (frame, ran * 1000)}
            reasons = self.reasons()
            if reasons or time.monotonic() > deadline:
                with self.action_lock:
                    if done["started"] is not None:
                        continue  # taken meanwhile: wait for it
                    done["cancelled"] = True
                if reasons:
                    return 503, {"error": "; ".join(reasons), "degraded": True}
                return 504, {"error": "the main loop did not start the action within %d ms although its "
                                      "heartbeat is fresh (frame %d); it will not run" % (timeout * 1000, self.frame),
                             "degraded": True}
        return done["result"]

    def fail_pending(self, why):
        while True:
            try:
                _, done = self.actions.get_nowait()
            except queue.Empty:
                return
            with self.action_lock:
                if done["started"] is not None:
                    continue
                done["cancelled"] = True
            done["result"] = (503, {"error": why, "degraded": True})
            done["event"].set()


def all_stacks():
    """Every thread's frames, innermost last (hook protocol: GET /debug/stacks)."""
    names = {t.ident: t.name for t in threading.enumerate()}
    out = []
    for ident, frame in sys._current_frames().items():
        out.append("Thread %s (%s):\n" % (ident, names.get(ident, "?")))
        out.extend(traceback.format_stack(frame))
        out.append("\n")
    return "".join(out)


def make_handler(app, token, faults_enabled):
    clicks = {"new_project": app.new_project,
              "increment": lambda: app.values.__setitem__("counter", app.values["counter"] + 1)}

    def set_name(v):
        if not isinstance(v, str):
            raise ActionError(400, "field \"value\" for 'name' must be a string")
        app.values["name"] = v

    def set_work_ms(v):
        # Slow but healthy GUI work (a first render, a big layout): the loop is
        # busy on this request for `v` ms, which must not count as a stall.
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 60000:
            raise ActionError(400, "field \"value\" for 'work_ms' must be an integer from 0 to 60000")
        time.sleep(v / 1000.0)

    sets = {"name": set_name, "work_ms": set_work_ms}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def setup(self):
            super().setup()
            # Without it a kept-alive reply waits ~40 ms for a delayed ACK.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, fmt, *args):  # quiet: never log tokens or requests
            pass

        def send_error(self, code, message=None, explain=None):
            # http.server's own errors (malformed request line, header too
            # long, …) must look like every other error (protocol section 5),
            # not like its default HTML page. The request may be unreadable, so
            # the connection is closed after the reply.
            body = json.dumps({"error": message or self.responses.get(code, ("error",))[0],
                               "degraded": False}).encode()
            self.close_connection = True
            try:
                self.send_response(code, message)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Livegui-Protocol", str(PROTOCOL_VERSION))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                    self.wfile.write(body)
            except OSError:
                pass  # the client is gone; nothing to tell it

        def reply(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Livegui-Protocol", str(PROTOCOL_VERSION))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, message, degraded=False):
            self.reply(status, {"error": message, "degraded": degraded})

        def authorised(self):
            if not token:
                return True
            given = self.headers.get("X-Livegui-Token", "")
            if hmac.compare_digest(given.encode(), token.encode()):
                return True
            # The body (if any) is not read: close the connection, or its
            # bytes would be taken for the next request on it.
            self.close_connection = True
            self.error(401, "missing or wrong X-Livegui-Token")
            return False

        def body(self):
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True  # the chunked body stays unread
                raise ActionError(411, "chunked request bodies are not accepted; send a Content-Length")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                self.close_connection = True
                raise ActionError(400, "header Content-Length is not a number")
            if length < 0 or length > 1024 * 1024:
                self.close_connection = True  # the body stays unread
                raise ActionError(413 if length > 0 else 400,
                                  "request body of %d bytes (allowed: 0 to 1 MiB)" % length)
            raw = self.rfile.read(length) if length else b""
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                raise ActionError(400, "request body is not a JSON object")
            if not isinstance(data, dict):
                raise ActionError(400, "request body is not a JSON object")
            return data

        def do_GET(self):
            if not self.authorised():
                return
            try:
                return self.route_get(urlparse(self.path))
            except Exception as e:  # a handler bug must not take the server down
                return self.error(500, "handler for GET %s threw: %s" % (self.path, e))

        def route_get(self, url):
            if url.path == "/health":
                h = app.health()
                return self.reply(200 if h["status"] == "ok" else 503, h)
            if url.path == "/state":
                with app.lock:
                    return self.reply(200, app.snapshot)
            if url.path == "/value":
                ids = parse_qs(url.query).get("id")
                if not ids:
                    return self.error(400, "query parameter \"id\" is missing")
                with app.lock:
                    values = app.snapshot["values"]
                if ids[0] not in values:
                    return self.error(404, "no value with id '%s'" % ids[0])
                return self.reply(200, {"id": ids[0], "value": values[ids[0]]})
            if url.path == "/screenshot":
                return self.error(501, "this app has no window to take screenshots of")
            if url.path == "/debug/stacks":
                return self.reply(200, all_stacks().encode(), "text/plain; charset=utf-8")
            if url.path in ("/click", "/set", "/shutdown", "/debug/fault"):
                return self.error(405, "method GET not allowed for %s" % url.path)
            return self.error(404, "no route GET %s" % url.path)

        def do_POST(self):
            if not self.authorised():
                return
            path = urlparse(self.path).path
            try:
                body = self.body()
                if path == "/click" or path == "/set":
                    wid = body.get("id")
                    if not isinstance(wid, str):
                        return self.error(400, "field \"id\" is missing or not a string")
                    table = clicks if path == "/click" else sets
                    if wid not in table:
                        kind = "clickable" if path == "/click" else "settable"
                        return self.error(404, "no %s widget with id '%s'" % (kind, wid))
                    if path == "/click":
                        action = table[wid]
                    else:
                        if "value" not in body:
                            return self.error(400, "field \"value\" is missing")
                        action = (lambda f, v: (lambda: f(v)))(table[wid], body["value"])
                    status, reply = app.run_on_loop(action)
                    return self.reply(status, reply)
                if path == "/shutdown":
                    # The reply goes out before the app starts exiting.
                    self.close_connection = True
                    self.reply(202, {"ok": True})
                    app.quit.set()
                    return
                if path == "/debug/fault":
                    if not faults_enabled:
                        return self.error(404, "fault injection is not enabled in this app")
                    kind = body.get("kind")
                    if kind not in ("assert", "hang", "crash", "exit"):
                        return self.error(400, "unknown fault kind '%s'; known: assert, hang, crash, exit" % kind)
                    code = body.get("code", 3)
                    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
                        return self.error(400, "field \"code\" must be an integer from 0 to 255")
                    if kind in ("crash", "exit"):
                        # Reply, flush, then end the process from this thread at
                        # once: not at the loop's next tick, which comes late or
                        # never (a hung or stopped loop), so the death happens
                        # in the test that asked for it, and "ends_process" lets
                        # the client wait for it.
                        self.close_connection = True
                        self.reply(202, {"ok": True, "scheduled": kind, "applied": False, "ends_process": True})
                        try:
                            self.wfile.flush()
                            self.connection.shutdown(socket.SHUT_WR)  # the reply leaves before the process ends
                        except OSError:
                            pass
                        app.fire((kind, code))
                        return  # not reached: the process has ended
                    # Scheduled only once the reply is written, so a fault that
                    # stops the main loop never races its own reply.
                    self.reply(202, {"ok": True, "scheduled": kind, "applied": False})
                    app.pending_fault = (kind, code)
                    return
                if path in ("/health", "/state", "/value", "/screenshot", "/debug/stacks"):
                    return self.error(405, "method POST not allowed for %s" % path)
                return self.error(404, "no route POST %s" % path)
            except ActionError as e:
                return self.error(e.status, str(e), e.degraded)
            except Exception as e:  # a handler bug must not take the server down
                return self.error(500, "handler for POST %s threw: %s" % (path, e))

        def other_method(self):
            if not self.authorised():
                return
            self.close_connection = True  # a body, if any, is not read
            path = urlparse(self.path).path
            if path in ROUTES:
                return self.error(405, "method %s not allowed for %s" % (self.command, path))
            return self.error(404, "no route %s %s" % (self.command, path))

        do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = other_method

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None,
                        help="port to bind on 127.0.0.1 (default: $LIVEGUI_HOOK_PORT, else any free port)")
    parser.add_argument("--fps", type=int, default=60)
    parser.add_argument("--job-ms", type=int, default=100)
    parser.add_argument("--enable-faults", action="store_true")
    args = parser.parse_args()
    if args.port is None:
        env_port = os.environ.get("LIVEGUI_HOOK_PORT") or "0"
        if not env_port.isdigit() or int(env_port) > 65535:
            print("hook_app: LIVEGUI_HOOK_PORT=%r is not a port number (0 to 65535)" % env_port, file=sys.stderr)
            return 2
        args.port = int(env_port)

    token = os.environ.get("LIVEGUI_HOOK_TOKEN", "")
    app = App(args.fps, args.job_ms, stall_threshold_ms=1000)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(app, token, args.enable_faults))
    except OSError as e:
        print("hook_app: cannot bind 127.0.0.1:%d: %s" % (args.port, e.strerror), file=sys.stderr)
        return 2
    server.daemon_threads = True
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="hook-server", daemon=True).start()

    def on_signal(signum, frame):
        app.quit.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def announce():
        # The port file first: a reader of the ready line finds it (hook-protocol.md, section 1).
        port_file = os.environ.get("LIVEGUI_HOOK_PORT_FILE")
        if port_file:
            tmp = "%s.tmp.%d" % (port_file, os.getpid())
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.replace(tmp, port_file)
        print("LIVEGUI_HOOK_READY port=%d pid=%d protocol=%d" % (port, os.getpid(), PROTOCOL_VERSION), flush=True)

    # The loop runs in a thread so the main thread stays free for signals.
    loop = threading.Thread(target=app.run, args=(announce,), name="main-loop", daemon=True)
    loop.start()
    app.quit.wait()
    server.shutdown()
    app.io_pool.shutdown(wait=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
