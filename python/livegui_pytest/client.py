"""A client of the hook protocol (docs/hook-protocol.md) that fails fast.

Every call and every wait is bounded by about the heartbeat threshold once
the app stops advancing frames or dies: it then raises SubprocessDegraded
saying what the app reported, its last frame and that frame's age, the test,
and (through the supervisor) the AUT's exit status and log tail — instead of
sitting in a long timeout.
"""

import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request


class HookError(Exception):
    """The app answered with an error (bad id, bad value, …): a test failure, not a broken AUT."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class SubprocessDegraded(HookError):
    """The AUT cannot serve: dead, degraded, or not advancing frames."""


def _opener():
    # No proxies: a loopback request through $http_proxy would be a bug.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LiveGuiClient:
    """Talks to the AUT at 127.0.0.1:`port`.

    `heartbeat_threshold` (seconds): how long the frame counter may stand still
    before the app counts as degraded; GET /health gets that long to answer.
    `context` (a callable taking what the client saw — {"health": the
    /health reply} or {"unreachable": why, with "last_health" and
    "last_health_ms_ago": the client's previous /health reply and its age,
    when it had one} — and returning a dict with "test", "diagnostic" and
    optionally "left_stalled_by", the earlier test the stall is blamed on)
    adds the supervisor's view to errors; it must return within milliseconds
    (the supervisor does not probe the app again).
    """

    def __init__(self, port, token="", heartbeat_threshold=1.0, pid=0, context=None, action_timeout=5.0):
        self.port = port
        self.pid = pid
        self.token = token or ""
        self.heartbeat_threshold = heartbeat_threshold
        self.action_timeout = action_timeout
        self._context = context or (lambda: {})
        self._opener = _opener()
        self._last_frame = None
        self._last_frame_seen = None
        self._last_health = None  # the last /health reply, and when it came (time.monotonic())
        self._last_health_at = None

    # -- HTTP ------------------------------------------------------------
    def _request(self, method, path, body=None, timeout=None):
        url = "http://127.0.0.1:%d%s" % (self.port, path)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("X-Livegui-Token", self.token)
        try:
            # No longer than the heartbeat threshold, as /health and wait_until:
            # an app that answers nothing that long is as stalled as one whose
            # frame counter stood still (it was threshold + 1 s).
            with self._opener.open(req, timeout=timeout or self.heartbeat_threshold) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", "") if e.headers else "", e.read()
        except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as e:
            reason = getattr(e, "reason", e)
            limit = timeout or self.heartbeat_threshold
            raise self._degraded("%s %s got no answer (%s; waited up to %.1f s)" % (method, path, reason, limit))

    def _json(self, method, path, body=None, timeout=None):
        status, _, raw = self._request(method, path, body, timeout)
        try:
            payload = json.loads(raw.decode("utf-8", "replace")) if raw else {}
        except ValueError:
            payload = {"error": raw[:200].decode("utf-8", "replace")}
        if status >= 400:
            if isinstance(payload, dict) and payload.get("degraded"):
                raise self._degraded("%s %s: the app says: %s" % (method, path, payload.get("error")),
                                     self._health_or_none())
            message = payload.get("error") if isinstance(payload, dict) else str(payload)
            raise HookError("%s %s: HTTP %d: %s" % (method, path, status, message), status)
        return payload

    # -- health and the heartbeat ---------------------------------------
    def health(self):
        """GET /health (200 or 503), with the frame counter tracked for the heartbeat.
        An app that does not answer within the heartbeat threshold is degraded:
        its hook server is as stuck as a main loop that stood still that long."""
        status, _, raw = self._request("GET", "/health", timeout=self.heartbeat_threshold)
        try:
            h = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            raise self._degraded("GET /health answered HTTP %d with a body that is not JSON" % status)
        if not isinstance(h, dict) or status not in (200, 503):
            raise self._degraded("GET /health answered HTTP %d" % status)
        now = time.monotonic()
        self._last_health, self._last_health_at = h, now
        frame = h.get("frame")
        if frame != self._last_frame:
            self._last_frame, self._last_frame_seen = frame, now
        return h

    def _health_or_none(self):
        """The app's /health for a diagnostic, or None when it does not answer."""
        try:
            return self.health()
        except SubprocessDegraded:
            return None

    def ensure_alive(self):
        """Raises SubprocessDegraded when the app says it is degraded or its
        frame counter stood still longer than the heartbeat threshold."""
        h = self.health()
        if h.get("status") != "ok":
            raise self._degraded("the app reports itself degraded", h)
        age_ms = h.get("last_frame_age_ms", 0)
        stalled_s = max(age_ms / 1000.0, time.monotonic() - (self._last_frame_seen or time.monotonic()))
        if stalled_s > self.heartbeat_threshold:
            raise self._degraded("the main loop stopped advancing frames", h)
        return h

    def _degraded(self, what, health=None):
        ctx = {}
        seen = {"health": health} if health else {"unreachable": what}
        if not health and self._last_health is not None:
            # Where the app's last frame was: a stall whose last frame came
            # before the previous test ended is that test's (the supervisor judges).
            seen["last_health"] = self._last_health
            seen["last_health_ms_ago"] = int((time.monotonic() - self._last_health_at) * 1000)
        try:
            ctx = self._context(seen) or {}
        except Exception as e:  # the context is extra; the error must still be raised
            ctx = {"diagnostic": "(no supervisor diagnostic: %s)" % e}
        parts = ["subprocess degraded: AUT pid %s: %s" % (self.pid or "?", what)]
        if health:
            parts.append("last frame %s, %d ms ago" % (health.get("frame"), health.get("last_frame_age_ms", 0)))
            if health.get("reasons"):
                parts.append("app reports: " + "; ".join(health["reasons"]))
        elif self._last_frame is not None:
            parts.append("last frame %s, %d ms ago" % (self._last_frame,
                                                       (time.monotonic() - self._last_frame_seen) * 1000))
        if ctx.get("test"):
            parts.append("test: " + ctx["test"])
        if ctx.get("left_stalled_by"):
            parts.append("the AUT was left stalled by %s (the last test that used the AUT before the stall was found)"
                         % ctx["left_stalled_by"])
        # The supervisor saved the stalled app's stacks: the first line names
        # the file (the batcher's reports pick it up from there).
        stacks = re.search(r"; stacks: ([^;\n]+)", ctx.get("diagnostic") or "")
        if stacks:
            parts.append("stacks: " + stacks.group(1).strip())
        message = "; ".join(parts)
        if ctx.get("diagnostic"):
            message += "\n  supervisor: " + ctx["diagnostic"].replace("\n", "\n  ")
        return SubprocessDegraded(message)

    # -- driving the app -------------------------------------------------
    def state(self):
        self.ensure_alive()
        return self._json("GET", "/state")

    def value(self, widget_id):
        self.ensure_alive()
        return self._json("GET", "/value?id=" + urllib.parse.quote(widget_id))["value"]

    def click(self, widget_id):
        self.ensure_alive()
        return self._json("POST", "/click", {"id": widget_id}, timeout=self._action_timeout())

    def set(self, widget_id, value):
        self.ensure_alive()
        return self._json("POST", "/set", {"id": widget_id, "value": value}, timeout=self._action_timeout())

    def _action_timeout(self):
        # An action waits for the app's next frame; a frame slower than the threshold is a stalled app.
        return min(self.action_timeout, self.heartbeat_threshold)

    def screenshot(self, path):
        """Writes a PNG of the app's window to `path`. HookError(501) when the app cannot."""
        self.ensure_alive()
        status, ctype, raw = self._request("GET", "/screenshot", timeout=self.heartbeat_threshold + 5.0)
        if status != 200 or not ctype.startswith("image/png"):
            try:
                message = json.loads(raw.decode()).get("error")
            except (ValueError, AttributeError):
                message = raw[:200]
            raise HookError("GET /screenshot: HTTP %d: %s" % (status, message), status)
        with open(path, "wb") as f:
            f.write(raw)
        return path

    def wait_until(self, predicate, timeout=10.0, interval=0.02, what=None):
        """Polls `predicate(client)` until it returns a truthy value (returned),
        `timeout` seconds pass (TimeoutError), or the app is found degraded or
        dead (SubprocessDegraded, within about the heartbeat threshold)."""
        what = what or getattr(predicate, "__name__", "condition")
        deadline = time.monotonic() + timeout
        delay = interval
        while True:
            try:
                self.ensure_alive()
                result = predicate(self)  # its own calls may be the first to see the app degraded
            except SubprocessDegraded as e:
                raise SubprocessDegraded(str(e).replace(": AUT pid", " while waiting for \"%s\": AUT pid" % what, 1)) \
                    from None
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError("\"%s\" not true after %.1f s (the app stayed healthy)" % (what, timeout))
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.1)

    def fault(self, kind, **fields):
        """POST /debug/fault (test apps started with fault injection only).

        When the app replies that the fault ends its process ("ends_process"),
        returns only once the app is gone (its port refuses connections), so
        the death happens in the calling test and the next call raises
        SubprocessDegraded; HookError when it still answers after about the
        heartbeat threshold."""
        fields["kind"] = kind
        reply = self._json("POST", "/debug/fault", fields)
        if isinstance(reply, dict) and reply.get("ends_process"):
            self._wait_until_gone("fault '%s'" % kind, self.heartbeat_threshold + 1.0)
        return reply

    def _wait_until_gone(self, what, bound):
        # A connect is answered by the kernel while the process lives (even a
        # hung one) and refused once it is gone: the listening socket closes
        # with the process. No HTTP, no supervisor: nothing here can block long.
        deadline = time.monotonic() + bound
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except ConnectionRefusedError:
                return
            except OSError:
                pass  # a full backlog or a slow accept: still there
            if time.monotonic() >= deadline:
                raise HookError("%s: the app (pid %s) said it ends its process, but it still accepts connections "
                                "after %.1f s" % (what, self.pid or "?", bound))
            time.sleep(0.005)
