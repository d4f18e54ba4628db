"""certpath_exec: the exec protocol (adapters/exec/PROTOCOL.md) for certpath's verifiers in Python
(python, chromium, firefox): the hello, each request line checked as "Requests that are not well
formed" says, one reply per request, in order, until stdin ends. Copied beside each verifier that
imports it (a script's own directory is first on sys.path). Standard library only.
"""
import json
import sys

# The wait when a request has no timeout_ms (a harness older than the field), and the largest
# timeout_ms the protocol allows (the harness's own --timeout limit).
DEFAULT_TIMEOUT_MS = 4000
MAX_TIMEOUT_MS = 3600000


def error(reason):
    return {"outcome": "error", "reason": reason}


def _integer(v, lo, hi):
    return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def problem_of(req):
    """What is wrong with a parsed request, or None; fills in timeout_ms when it is absent."""
    if not isinstance(req, dict):
        return "not a JSON object"
    for key in ("id", "mode"):
        if not isinstance(req.get(key), str):
            return 'no string "%s"' % key
    if req["mode"] not in ("verify", "connect"):
        return 'unknown mode "%s"' % req["mode"]
    for key in ("chain", "roots", "hostname"):
        if not isinstance(req.get(key), str):
            return 'no string "%s"' % key
    if not _integer(req.get("time"), -2 ** 62, 2 ** 62):
        return 'no integer "time"'
    if req["mode"] == "connect":
        if not isinstance(req.get("host"), str):
            return 'no string "host"'
        if not _integer(req.get("port"), 1, 65535):
            return 'no integer "port" from 1 to 65535'
    if "timeout_ms" not in req:
        req["timeout_ms"] = DEFAULT_TIMEOUT_MS
    elif not _integer(req["timeout_ms"], 1, MAX_TIMEOUT_MS):
        return 'no integer "timeout_ms" from 1 to %d' % MAX_TIMEOUT_MS
    return None


def reply_to(line, modes, answer):
    """The reply to one request line. answer(req) gives the verdict of a well formed request
    whose mode is one of `modes`."""
    try:
        req = json.loads(line)
    except ValueError as e:
        return dict(error("bad request: not JSON (%s)" % e), id="")
    rid = req.get("id") if isinstance(req, dict) and isinstance(req.get("id"), str) else ""
    problem = problem_of(req)
    if problem:
        reply = error("bad request: " + problem)
    elif req["mode"] not in modes:
        reply = error('mode "%s" is not supported (%s only)' % (req["mode"], ", ".join(modes)))
    else:
        reply = answer(req)
    return dict(reply, id=rid)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(hello, modes, answer):
    """Writes the hello, then answers each request line of stdin until it ends. A blank line is
    no request and gets no reply. Bytes that are not UTF-8 make a line that is not JSON."""
    emit(hello)
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", "replace")
        if line.strip():
            emit(reply_to(line, modes, answer))
