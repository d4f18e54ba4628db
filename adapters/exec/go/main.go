// certpath-verify-go: Go's crypto/x509 and crypto/tls behind the exec protocol
// (adapters/exec/PROTOCOL.md).
//
// verify: the server certificate check crypto/tls's client makes, done directly: every
// certificate the server sent is parsed (one that does not parse fails the handshake), then
// leaf.Verify with Roots = the case's roots, Intermediates = the rest of the chain as sent,
// DNSName = the hostname (an IP literal is matched against IP SANs), CurrentTime = the case's
// time and KeyUsages = serverAuth; then the leaf's key type is checked as the client does.
// connect: tls.Dial to the built-in server with RootCAs = the case's roots, ServerName = the
// hostname and Time = the case's time; everything else at crypto/tls's defaults. The connection
// and the handshake together may take the request's timeout_ms.
//
// A request that is not well formed (PROTOCOL.md, "Requests that are not well formed") is
// answered with an error naming what is wrong, and the program goes on to the next line.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type request struct {
	ID       string
	Mode     string
	Chain    string
	Roots    string
	Hostname string
	Time     int64
	Host     string
	Port     int
	Timeout  time.Duration // the request's timeout_ms
}

type reply struct {
	ID      string   `json:"id"`
	Outcome string   `json:"outcome"`
	Reason  string   `json:"reason"`
	Code    *int     `json:"code,omitempty"`
	Path    []string `json:"path,omitempty"`
}

const settings = "verify: as crypto/tls's client checks a server: every sent certificate parsed " +
	"(x509.ParseCertificate), leaf.Verify(x509.VerifyOptions{Roots: the case's roots only " +
	"(a root that does not parse is left out, as CertPool.AppendCertsFromPEM does), " +
	"Intermediates: the rest of the chain as sent, DNSName: the case hostname, CurrentTime: " +
	"the case time, KeyUsages: [ServerAuth]}), then the leaf key must be RSA, ECDSA or Ed25519; " +
	"connect: tls.Dial with tls.Config{RootCAs: the case's roots, ServerName: the case " +
	"hostname, Time: the case time}, crypto/tls defaults otherwise; no system roots, no AIA, " +
	"no revocation"

// The wait when a request has no timeout_ms (a harness older than the field), and the largest
// timeout_ms the protocol allows (the harness's own --timeout limit).
const (
	defaultTimeoutMs = 4000
	maxTimeoutMs     = 3600000
)

// A library verdict (accept or reject) or our own failure (error).
type verdict struct {
	outcome, reason string
	code            *int
	path            []string
}

func readPEM(path string) ([]*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var blocks []*pem.Block
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return blocks, nil
		}
		if b.Type == "CERTIFICATE" {
			blocks = append(blocks, b)
		}
	}
}

// The case's roots, as an application loading a CA file gets them.
func loadRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(data)
	return pool, nil
}

func pathOf(chain []*x509.Certificate) []string {
	out := make([]string, len(chain))
	for i, c := range chain {
		out[i] = c.Subject.String()
	}
	return out
}

func codeOf(err error) *int {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		c := int(inv.Reason)
		return &c
	}
	return nil
}

func reject(err error) verdict {
	return verdict{outcome: "reject", reason: err.Error(), code: codeOf(err)}
}

func failure(format string, args ...interface{}) verdict {
	return verdict{outcome: "error", reason: fmt.Sprintf(format, args...)}
}

func verify(rq *request) verdict {
	blocks, err := readPEM(rq.Chain)
	if err != nil || len(blocks) == 0 {
		return failure("cannot read the chain %s: %v", rq.Chain, err)
	}
	roots, err := loadRoots(rq.Roots)
	if err != nil {
		return failure("cannot read the roots %s: %v", rq.Roots, err)
	}
	certs := make([]*x509.Certificate, len(blocks))
	for i, b := range blocks {
		// crypto/tls: "tls: failed to parse certificate from server: ..."
		if certs[i], err = x509.ParseCertificate(b.Bytes); err != nil {
			return reject(fmt.Errorf("tls: failed to parse certificate from server: %w", err))
		}
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		DNSName:       rq.Hostname,
		CurrentTime:   time.Unix(rq.Time, 0),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return reject(err)
	}
	switch certs[0].PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return reject(fmt.Errorf("tls: server's certificate contains an unsupported type of "+
			"public key: %T", certs[0].PublicKey))
	}
	return verdict{outcome: "accept", reason: "ok", path: pathOf(chains[0])}
}

// Whether a handshake error is crypto/tls's verdict on the server's certificates (reject)
// rather than a failure to get that far (error).
func aboutCertificate(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var uc x509.UnhandledCriticalExtension
	var cv x509.ConstraintViolationError
	var ia x509.InsecureAlgorithmError
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) ||
		errors.As(err, &uc) || errors.As(err, &cv) || errors.As(err, &ia) {
		return true
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "x509: ") ||
		strings.HasPrefix(msg, "tls: failed to parse certificate from server") ||
		strings.HasPrefix(msg, "tls: server's certificate contains an unsupported type")
}

func connect(rq *request) verdict {
	roots, err := loadRoots(rq.Roots)
	if err != nil {
		return failure("cannot read the roots %s: %v", rq.Roots, err)
	}
	at := time.Unix(rq.Time, 0)
	var path []string
	cfg := &tls.Config{
		RootCAs:    roots,
		ServerName: rq.Hostname,
		Time:       func() time.Time { return at },
		// Reads the verified chain only: the check itself is crypto/tls's default.
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.VerifiedChains) > 0 {
				path = pathOf(cs.VerifiedChains[0])
			}
			return nil
		},
	}
	addr := net.JoinHostPort(rq.Host, strconv.Itoa(rq.Port))
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: rq.Timeout}, "tcp", addr, cfg)
	if err != nil {
		if aboutCertificate(err) {
			return reject(err)
		}
		return failure("handshake with %s failed before a verdict on the certificate: %v",
			addr, err)
	}
	conn.Close()
	return verdict{outcome: "accept", reason: "ok", path: path}
}

// The request on a line, or what is wrong with it (PROTOCOL.md); id is the request's id when it
// has a string one, so a reply to a bad request still names it.
func parseRequest(line []byte) (rq request, id string, problem string) {
	var m map[string]interface{}
	dec := json.NewDecoder(strings.NewReader(string(line)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return rq, "", "not a JSON object"
	}
	text := func(key string, dst *string) bool {
		v, ok := m[key].(string)
		if ok {
			*dst = v
		} else if problem == "" {
			problem = fmt.Sprintf("no string %q", key)
		}
		return ok
	}
	integer := func(key string, lo, hi int64) (int64, bool) {
		n, ok := m[key].(json.Number)
		v, err := n.Int64()
		if !ok || err != nil || v < lo || v > hi {
			if problem == "" && key == "time" { // any integer a time can be
				problem = fmt.Sprintf("no integer %q", key)
			} else if problem == "" {
				problem = fmt.Sprintf("no integer %q from %d to %d", key, lo, hi)
			}
			return 0, false
		}
		return v, true
	}
	if !text("id", &rq.ID) {
		return rq, "", problem
	}
	if text("mode", &rq.Mode) && rq.Mode != "verify" && rq.Mode != "connect" {
		problem = fmt.Sprintf("unknown mode %q", rq.Mode)
	}
	text("chain", &rq.Chain)
	text("roots", &rq.Roots)
	text("hostname", &rq.Hostname)
	rq.Time, _ = integer("time", -1<<62, 1<<62)
	if rq.Mode == "connect" {
		text("host", &rq.Host)
		port, _ := integer("port", 1, 65535)
		rq.Port = int(port)
	}
	ms := int64(defaultTimeoutMs)
	if _, present := m["timeout_ms"]; present {
		ms, _ = integer("timeout_ms", 1, maxTimeoutMs)
	}
	rq.Timeout = time.Duration(ms) * time.Millisecond
	return rq, rq.ID, problem
}

func answer(rq *request) verdict {
	switch rq.Mode {
	case "verify":
		return verify(rq)
	case "connect":
		return connect(rq)
	}
	return failure("mode %q is not supported", rq.Mode)
}

func emit(w *bufio.Writer, v interface{}) {
	line, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "certpath-verify-go: %v\n", err)
		os.Exit(1)
	}
	w.Write(append(line, '\n'))
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "certpath-verify-go: writing stdout: %v\n", err)
		os.Exit(1)
	}
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	emit(out, map[string]interface{}{
		"certpath-exec": 1, "name": "go", "library": "Go crypto/x509",
		"version": runtime.Version(), "settings": settings,
		"caps": []string{"verify", "connect", "set-time", "hostname", "purpose", "ip"},
	})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64*1024), 1<<20)
	for in.Scan() {
		if strings.TrimSpace(in.Text()) == "" {
			continue // not a request: no reply
		}
		rq, id, problem := parseRequest(in.Bytes())
		var v verdict
		if problem != "" {
			v = failure("bad request: %s", problem)
		} else {
			v = answer(&rq)
		}
		emit(out, reply{ID: id, Outcome: v.outcome, Reason: v.reason, Code: v.code,
			Path: v.path})
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "certpath-verify-go: reading stdin: %v\n", err)
		os.Exit(1)
	}
}
