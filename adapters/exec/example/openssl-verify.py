#!/usr/bin/python3
import json, subprocess, sys

def answer(req):
    cmd = ["openssl", "verify", "-purpose", "sslserver", "-attime", str(req["time"]),
           "-CAfile", req["roots"], "-untrusted", req["chain"], "-verify_hostname",
           req["hostname"], req["chain"]]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode == 0:
        return {"outcome": "accept", "reason": "OK"}
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("error ")]
    if not lines:
        return {"outcome": "error", "reason": (p.stderr or "openssl failed").strip()[:200]}
    return {"outcome": "reject", "reason": lines[0]}

version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
print(json.dumps({"certpath-exec": 1, "name": "openssl-verify", "library": "OpenSSL CLI",
                  "version": version, "caps": ["verify", "set-time", "hostname", "purpose"],
                  "settings": "openssl verify -purpose sslserver -attime T -verify_hostname H"}),
      flush=True)
for line in sys.stdin:
    req = json.loads(line)
    print(json.dumps(dict(answer(req), id=req["id"])), flush=True)
