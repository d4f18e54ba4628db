#!/usr/bin/python3
import json, subprocess, sys

def problem(req):
    """What makes a request not well formed (PROTOCOL.md), or None."""
    if not isinstance(req, dict):
        return "not a JSON object"
    for key, kind in [("id", str), ("mode", str), ("chain", str), ("roots", str),
                      ("hostname", str), ("time", int)]:
        if type(req.get(key)) is not kind:
            return "no %s %r" % (kind.__name__, key)
    if req["mode"] not in ("verify", "connect"):
        return "unknown mode %r" % req["mode"]
    if req["mode"] == "connect" and (type(req.get("host")) is not str or
                                     type(req.get("port")) is not int or
                                     not 0 < req["port"] < 65536):
        return "no host and port"
    wait = req.setdefault("timeout_ms", 4000)  # absent: an older harness
    if type(wait) is not int or not 0 < wait <= 3600000:
        return "no integer timeout_ms from 1 to 3600000"

def answer(req):
    if req["mode"] != "verify":
        return {"outcome": "error", "reason": "mode %r is not supported" % req["mode"]}
    cmd = ["openssl", "verify", "-purpose", "sslserver", "-attime", str(req["time"]),
           "-CAfile", req["roots"], "-untrusted", req["chain"], "-verify_hostname",
           req["hostname"], req["chain"]]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=req["timeout_ms"] / 1000)
    except subprocess.TimeoutExpired:
        return {"outcome": "error", "reason": "openssl took over %d ms" % req["timeout_ms"]}
    if p.returncode == 0:
        return {"outcome": "accept", "reason": "OK"}
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("error ")]
    if not lines:
        return {"outcome": "error", "reason": (p.stderr or "openssl failed").strip()[:200]}
    return {"outcome": "reject", "reason": lines[0]}

def reply(line):
    try:
        req = json.loads(line)
    except ValueError as e:
        return {"id": "", "outcome": "error", "reason": "bad request: not JSON (%s)" % e}
    rid = req["id"] if isinstance(req, dict) and type(req.get("id")) is str else ""
    why = problem(req)
    if why:
        return {"id": rid, "outcome": "error", "reason": "bad request: " + why}
    return dict(answer(req), id=rid)

version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
print(json.dumps({"certpath-exec": 1, "name": "openssl-verify", "library": "OpenSSL CLI",
                  "version": version, "caps": ["verify", "set-time", "hostname", "purpose"],
                  "settings": "openssl verify -purpose sslserver -attime T -verify_hostname H"}),
      flush=True)
for line in sys.stdin:
    if line.strip():
        print(json.dumps(reply(line)), flush=True)
