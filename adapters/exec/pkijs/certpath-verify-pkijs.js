#!/usr/bin/env node
/*
 * certpath-verify-pkijs.js - certpath's exec verifier for PKI.js (adapters/exec/PROTOCOL.md):
 * prints a hello line, then answers each request line on stdin with one response line, in
 * order, until stdin ends.
 *
 * PKI.js's CertificateChainValidationEngine runs as its documentation shows: trustedCerts = the
 * case's roots, certs = the certificates the server sent, checkDate = the case's time, over
 * Node's WebCrypto. It takes the end-entity certificate last, so the chain (leaf first, as
 * sent) is reversed. It has no hostname check and no purpose (EKU) check.
 *
 * An outcome is `accept`, `reject` with PKI.js's resultCode and resultMessage, or `error` when
 * this program could not run the case; a failure of its own is never a reject.
 */
"use strict";

const fs = require("fs");
const { webcrypto } = require("crypto");
const pkijs = require("pkijs");
// The protocol's side (the hello, requests checked, replies), installed beside this program.
const { serve } = require("./certpath_exec.js");

const SETTINGS =
  "CertificateChainValidationEngine({trustedCerts: the case's roots, certs: the certificates " +
  "sent, reversed so the leaf is last as PKI.js expects, checkDate: the case's time}).verify() " +
  "with default parameters, over Node's WebCrypto (pkijs.CryptoEngine); no CRLs or OCSP. PKI.js " +
  "checks no hostname and no purpose (EKU). A sent certificate PKI.js cannot parse is a reject.";

function hello() {
  return {
    "certpath-exec": 1,
    name: "pkijs",
    library: "PKI.js",
    version: `${require("pkijs/package.json").version} (Node ${process.versions.node})`,
    caps: ["verify", "set-time"],
    settings: SETTINGS,
  };
}

/* The DER of every CERTIFICATE block of a PEM file, in file order. */
function readPem(path) {
  const text = fs.readFileSync(path, "ascii");
  const re = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----/g;
  const out = [];
  for (const m of text.matchAll(re)) out.push(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
  return out;
}

function parseCert(der, what, k) {
  try {
    return pkijs.Certificate.fromBER(der);
  } catch (e) {
    throw Object.assign(new Error(`${what} certificate ${k + 1}: ${e.message}`), { pkijs: true });
  }
}

/* A well-formed verify request's verdict (certpath_exec.js checked the request). */
async function verify(req) {
  const chainDer = readPem(req.chain);
  const rootDer = readPem(req.roots);
  if (chainDer.length === 0) throw new Error(`${req.chain}: no certificate`);
  const roots = rootDer.map((d, k) => parseCert(d, "root", k));
  let chain;
  try {
    chain = chainDer.map((d, k) => parseCert(d, "sent", k)).reverse();
  } catch (e) {
    // The application hands PKI.js what it parsed; a certificate it cannot parse ends there.
    return { outcome: "reject", reason: e.message };
  }
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: roots,
    certs: chain,
    checkDate: new Date(req.time * 1000),
  });
  const r = await engine.verify();
  if (r.result === true) return { outcome: "accept", reason: "", code: 0 };
  return { outcome: "reject", reason: String(r.resultMessage), code: r.resultCode };
}

/* verify(), its own failures (a file it cannot read) an error, never a reject. */
async function answer(req) {
  try {
    return await verify(req);
  } catch (e) {
    return { outcome: "error", reason: `certpath-verify-pkijs: ${e.message}` };
  }
}

async function main() {
  pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: webcrypto }));
  await serve(hello(), ["verify"], answer);
}

main().catch((e) => {
  process.stderr.write(`certpath-verify-pkijs: ${e.stack || e}\n`);
  process.exit(1);
});
