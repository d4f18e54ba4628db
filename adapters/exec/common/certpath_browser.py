"""certpath_browser: what certpath's browser verifiers (chromium, firefox) share.

Each verifier is one headless browser per worker, started in a throwaway directory and killed
with this program; this module has the parts that do not depend on the browser: the browser
process and its log, the temp directories killed runs leave behind, the case's roots as DER,
the binary's version, and the verifier's life (the browser started before the hello under the
clock shim, restarted after a failure, each request answered through certpath_exec). Copied
beside each verifier that imports it (a script's own directory is first on sys.path). Standard
library only.
"""
import base64
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import certpath_exec

PR_SET_PDEATHSIG = 1
# Startup (browser launch up to its first answer) under a loaded machine takes a few seconds;
# the exec protocol allows 25 s before the hello.
START_TIMEOUT_S = 20.0
# The tail of the browser's log quoted in an error.
LOG_TAIL = 600


class BrowserError(Exception):
    """The browser could not do what was asked (it died, hung or answered with an error)."""


class BrowserTimeout(BrowserError):
    """The browser gave no answer by the deadline it was given."""


class NoVerdict(Exception):
    """The page did not load, nor fail, within the case's timeout_ms; the browser still works."""


def log(name, msg):
    print("certpath-verify-%s: %s" % (name, msg), file=sys.stderr, flush=True)


def die_with_parent():
    """A preexec_fn: the child gets SIGKILL when this program dies, even when the harness kills
    only us."""
    libc = ctypes.CDLL(None, use_errno=True)
    return lambda: libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def remove_stale_dirs(prefix):
    """Removes the temp directories of earlier runs of this program that were killed (a case
    timeout kills the worker and us with it, leaving a browser profile behind)."""
    tmp = tempfile.gettempdir()
    for entry in os.listdir(tmp):
        m = re.match(re.escape(prefix) + r"(\d+)-", entry)
        if not m:
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # its program still runs
        except ProcessLookupError:
            shutil.rmtree(os.path.join(tmp, entry), ignore_errors=True)
        except OSError:
            continue


def pem_ders(path):
    """The certificates of a PEM file, as DER, in file order, each once. Raises OSError (the file
    cannot be read) or ValueError (bad base64)."""
    with open(path, "r", encoding="ascii", errors="replace") as f:
        text = f.read()
    out = []
    for m in re.finditer(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S):
        der = base64.b64decode("".join(m.group(1).split()))
        if der not in out:
            out.append(der)
    return out


class Process:
    """A browser process whose output goes to a log file in the verifier's directory."""

    def __init__(self, name, log_path):
        self.name, self.log_path = name, log_path
        self.proc = None

    def log_tail(self):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - LOG_TAIL))
                lines = f.read().decode("utf-8", "replace").splitlines()
            return " | ".join(l for l in lines if "dbus" not in l)[-LOG_TAIL:]
        except OSError:
            return ""

    def died(self, what, cls=BrowserError):
        """The error for a browser that failed to do something, with its state and log."""
        rc = self.proc.poll() if self.proc else None
        state = "exited with status %s" % rc if rc is not None else "is still running"
        return cls("%s %s (it %s); its log ends: %s" % (self.name, what, state, self.log_tail()))


class Verifier:
    """One browser per worker, started when first needed and again after a failure.

    A subclass sets NAME (the row), BINARY (the default browser binary), VERSION_RE (the
    version in `BINARY --version`), START_ERRORS (what a failed start raises) and defines
    new_browser(resolve_to), answer(req), and settings(version)."""

    NAME = BINARY = VERSION_RE = None
    START_ERRORS = (OSError, BrowserError)

    def __init__(self):
        env = "CERTPATH_" + self.NAME.upper()
        self.binary = os.environ.get(env) or self.BINARY
        self.restart_each = os.environ.get(env + "_RESTART") == "1"
        self.timing = os.environ.get(env + "_TIMING") == "1"
        remove_stale_dirs("certpath-%s-" % self.NAME)
        self.root = tempfile.mkdtemp(prefix="certpath-%s-%d-" % (self.NAME, os.getpid()))
        self.started = time.monotonic()
        self.browser = None

    def ensure_browser(self, resolve_to):
        if self.browser and (self.browser.resolve_to != resolve_to or self.restart_each):
            self.stop_browser()
        if not self.browser:
            b = self.new_browser(resolve_to)
            try:
                b.start()
            except self.START_ERRORS:
                b.close()
                raise
            self.browser = b
        return self.browser

    def stop_browser(self):
        if self.browser:
            self.browser.close()
            self.browser = None

    def log_timing(self, req, t0, t1):
        if self.timing:
            log(self.NAME, "%s: trust %.0f ms, navigation %.0f ms" % (
                req.get("id"), (t1 - t0) * 1000, (time.monotonic() - t1) * 1000))

    def binary_version(self):
        """The version the browser binary reports (`BINARY --version`)."""
        p = subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=60)
        m = re.search(self.VERSION_RE, p.stdout)
        if p.returncode != 0 or not m:
            raise BrowserError("%s --version said: %s" % (self.binary,
                                                          (p.stdout + p.stderr).strip()[:200]))
        return m.group(1)

    def hello(self):
        # The harness starts a clock-shim stack's workers once to read the hello, then again
        # under the shim (CERTPATH_FAKETIME set) to run cases: only the second start needs the
        # browser, which then runs before the hello so that a case never waits for it. A
        # program that gets cases without the shim starts the browser at the first case.
        version = self.binary_version()
        if os.environ.get("CERTPATH_FAKETIME"):
            self.check_version(self.ensure_browser("127.0.0.1"), version)
        return {"certpath-exec": 1, "name": self.NAME, "library": self.LIBRARY,
                "version": version, "caps": ["connect", "hostname", "purpose", "clock-shim"],
                "settings": self.settings(version)}

    def roots(self, req):
        """The case's roots as DER (maybe none), or an error reply when they cannot be read (no
        browser is involved yet)."""
        try:
            return pem_ders(req["roots"]), None
        except (OSError, ValueError) as e:
            return None, certpath_exec.error("cannot read the roots %s: %s" % (req["roots"], e))

    def cleanup(self):
        self.stop_browser()
        shutil.rmtree(self.root, ignore_errors=True)

    def main(self):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
        try:
            try:
                hello = self.hello()
            except (subprocess.SubprocessError,) + self.START_ERRORS as e:
                log(self.NAME, "cannot start %s: %s" % (self.binary, e))
                return 1
            certpath_exec.serve(hello, ["connect"], self.answer)
            return 0
        finally:
            self.cleanup()
