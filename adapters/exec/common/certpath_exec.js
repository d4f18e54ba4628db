/*
 * certpath_exec.js - the exec protocol (adapters/exec/PROTOCOL.md) for certpath's verifiers in
 * JavaScript (node, pkijs): the hello, each request line checked as "Requests that are not well
 * formed" says, one reply per request, in order, until stdin ends. Copied beside each verifier
 * that requires it.
 */
"use strict";

const readline = require("readline");

/* The wait when a request has no timeout_ms (a harness older than the field), and the largest
 * timeout_ms the protocol allows (the harness's own --timeout limit). */
const DEFAULT_TIMEOUT_MS = 4000;
const MAX_TIMEOUT_MS = 3600000;

function isInteger(v, lo, hi) {
  return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
}

/* What is wrong with a parsed request, or null; fills in timeout_ms when it is absent. */
function problemOf(req) {
  if (req === null || typeof req !== "object" || Array.isArray(req)) return "not a JSON object";
  const texts = ["id", "mode", "chain", "roots", "hostname"];
  for (const key of texts.slice(0, 2))
    if (typeof req[key] !== "string") return `no string "${key}"`;
  if (req.mode !== "verify" && req.mode !== "connect") return `unknown mode "${req.mode}"`;
  for (const key of texts.slice(2))
    if (typeof req[key] !== "string") return `no string "${key}"`;
  if (!isInteger(req.time, -(2 ** 53), 2 ** 53)) return 'no integer "time"';
  if (req.mode === "connect") {
    if (typeof req.host !== "string") return 'no string "host"';
    if (!isInteger(req.port, 1, 65535)) return 'no integer "port" from 1 to 65535';
  }
  if (!("timeout_ms" in req)) req.timeout_ms = DEFAULT_TIMEOUT_MS;
  else if (!isInteger(req.timeout_ms, 1, MAX_TIMEOUT_MS))
    return `no integer "timeout_ms" from 1 to ${MAX_TIMEOUT_MS}`;
  return null;
}

/* The reply to one line: {id, outcome, reason, ...}. answer(req) gives the verdict of a well
 * formed request whose mode is one of `modes`. */
async function replyTo(line, modes, answer) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { id: "", outcome: "error", reason: `bad request: not JSON (${e.message})` };
  }
  const id = req !== null && typeof req === "object" && typeof req.id === "string" ? req.id : "";
  const problem = problemOf(req);
  if (problem) return { id, outcome: "error", reason: `bad request: ${problem}` };
  if (!modes.includes(req.mode))
    return { id, outcome: "error", reason: `mode "${req.mode}" is not supported (${modes} only)` };
  return { id, ...(await answer(req)) };
}

/* Writes the hello, then answers each request line of stdin until it ends. A blank line is no
 * request and gets no reply. */
async function serve(hello, modes, answer) {
  process.stdout.write(JSON.stringify(hello) + "\n");
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === "") continue;
    const res = await replyTo(line, modes, answer);
    // Waits for each line to drain, so a slow reader never makes output pile up.
    if (!process.stdout.write(JSON.stringify(res) + "\n"))
      await new Promise((resolve) => process.stdout.once("drain", resolve));
  }
}

module.exports = { serve, DEFAULT_TIMEOUT_MS };
