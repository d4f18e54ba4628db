/*
 * cp_manifest.h - a suite's manifest.json (format "certpath-suite", version 1): the one reader
 * and the one writer. The format is described in docs/suite-format.md and, field by field with
 * its limits, in manifest/manifest.schema.json.
 *
 * The manifest is the interface between whatever makes a suite (the generator, an importer)
 * and everything downstream (the harness, the reports, `explain`, the tests). Nothing else
 * parses or prints it.
 *
 * Reading: cp_manifest_load() reads DIR/manifest.json into a struct cp_manifest whose every
 * field has been checked: the format and its version, every string's length, every number's
 * range before it is converted, every certificate reference resolved, every name looked up in
 * the lists it belongs to, ids unique, the validation time a real date equal to its Unix form.
 * The first violation fails the load with CP_E_FORMAT (CP_E_LIMIT for a file over
 * CP_MANIFEST_MAX_BYTES) and a message naming the file, the case or certificate and the field.
 *
 * Writing: a maker fills a struct cp_manifest (cp_manifest_alloc() sizes the arrays) and calls
 * cp_manifest_write(), which checks it against the same limits first, so a manifest this
 * writer wrote is one this reader reads. The same struct always gives the same bytes.
 *
 * Ownership: everything reachable from a struct cp_manifest is heap memory it owns (malloc'd
 * strings and arrays) and cp_manifest_free() releases it; a maker that fills fields itself
 * gives them to the manifest (strings from strdup, arrays from malloc/calloc). Readers borrow
 * pointers into the struct until it is freed.
 *
 * Errors: every function that can fail returns 0 or a negative CP_E_* (cp_common.h) and sets
 * the message; none aborts.
 */
#ifndef CP_MANIFEST_H
#define CP_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_MANIFEST_FORMAT "certpath-suite"
#define CP_MANIFEST_FORMAT_VERSION 1
#define CP_MANIFEST_FILE "manifest.json"
/* How an imported suite's "generator" begins ("certpath-import 0.1.0 (x509-limbo)"): the
 * harness never regenerates such a suite, which no seed can make again. */
#define CP_MANIFEST_IMPORTED "certpath-import "

/* Limits. Each is far above what the generator makes and low enough that a wrong or hostile
 * file fails cleanly instead of exhausting memory or overflowing a consumer's buffer. */
/* The default suite's manifest is a few MB; 512 MB leaves room for huge custom suites while
 * refusing to read a wrong file (a disk image) whole. */
#define CP_MANIFEST_MAX_BYTES (512u << 20)
/* Profiles, features and reasons are bits of a uint64_t in the typed form. The harness and
 * the results carry at most CP_MANIFEST_MAX_PROFILES profiles (cp_results.h agrees). */
#define CP_MANIFEST_MAX_NAMES 64
#define CP_MANIFEST_MAX_PROFILES 4
#define CP_MANIFEST_NAME_MAX 64 /* one profile, feature or reason name */
/* A case id is also a directory name under cases/ and travels in the worker request, which
 * has room for this much. */
#define CP_MANIFEST_ID_MAX 255
#define CP_MANIFEST_HOST_MAX 253    /* a DNS name (RFC 1035 2.3.4) */
#define CP_MANIFEST_PATH_MAX 512    /* "dir" and "file": relative paths inside the suite */
#define CP_MANIFEST_TEXT_MAX 4096   /* labels, descriptions, defects, version strings */
#define CP_MANIFEST_SUITE_ID_MAX 64 /* lowercase hex: a 64-bit digest today, a SHA-256 at most */
#define CP_MANIFEST_MAX_CERTS (1 << 22)
#define CP_MANIFEST_MAX_CASES (1 << 20)
#define CP_MANIFEST_MAX_SENT 1024  /* certificates one case sends (the largest pool sends 65) */
#define CP_MANIFEST_MAX_ANCHORS 64 /* trust anchors of one case (the bridge has four) */
#define CP_MANIFEST_MAX_DEPTH 64   /* certificates in one path (deep chains reach 40) */
#define CP_MANIFEST_MAX_LISTED 16  /* valid paths and rejected candidates listed per expectation */
/* Counts of all paths or candidates (listed or not): integral and exactly representable. */
#define CP_MANIFEST_COUNT_MAX INT64_C(9007199254740991) /* 2^53 - 1 */
/* validation_time_unix: from the epoch to 9999-12-31T23:59:59Z, where X.509's
 * GeneralizedTime (four-digit years) ends. */
#define CP_MANIFEST_TIME_MIN INT64_C(0)
#define CP_MANIFEST_TIME_MAX INT64_C(253402300799)

/* A list of certificates, as indices into cp_manifest.certs. */
struct cp_manifest_path {
    int *certs;
    int n; /* 1..CP_MANIFEST_MAX_DEPTH */
};

/* A candidate path the oracle ruled out, and why. */
struct cp_manifest_rejected {
    struct cp_manifest_path path;
    int reason; /* index into cp_manifest.reasons */
    int at;     /* the certificate at fault: index into cp_manifest.certs */
};

/* One case's expectation under one profile. */
struct cp_manifest_expect {
    bool accept;                           /* "outcome": accept or reject */
    struct cp_manifest_path *paths;        /* valid paths, leaf to anchor, at most MAX_LISTED */
    int npaths;                            /* paths listed */
    int64_t paths_all;                     /* "npaths": valid paths in all, >= npaths */
    uint64_t reasons;                      /* bit i: cp_manifest.reasons[i] ruled out a candidate */
    struct cp_manifest_rejected *rejected; /* at most MAX_LISTED */
    int nrejected;                         /* candidates listed */
    int64_t rejected_all;                  /* "nrejected": in all, >= nrejected */
};

struct cp_manifest_cert {
    char *id;      /* "<graph tag>/<n>", unique */
    char *label;   /* "Root1->ICA" */
    char *graph;   /* the graph's name */
    char *issuer;  /* the issuer entity's label */
    char *subject; /* the subject entity's label */
    char *file;    /* relative to the suite directory: "certs/<tag>/<n>.pem" */
    char *sha256;  /* 64 lowercase hex digits of the DER */
    char *defects; /* how it differs from its role's default profile; "" for none */
};

struct cp_manifest_case {
    char *id;          /* unique, non-empty: "family/graph/scenario/.../order" */
    char *family;      /* non-empty */
    char *description; /* one line */
    char *graph;       /* the graph's name */
    char *hostname;    /* the name the client checks, non-empty */
    char *dir;         /* relative to the suite directory: "cases/<id>" */
    uint64_t features; /* bit i: cp_manifest.features[i] */
    bool probe;        /* a feature probe (decides "does not support X") */
    int leaf;          /* index into certs */
    int *sent;         /* indices into certs, leaf first: 1..MAX_SENT */
    int nsent;
    int *anchors; /* the anchors' certificates: 0..MAX_ANCHORS */
    int nanchors;
    struct cp_manifest_expect *expect; /* [nprofiles], in cp_manifest.profiles' order */
    /* Optional; an importer's cases (docs/suite-format.md), absent from generated suites. */
    bool own_time; /* vtime below is this case's validation time, not the suite's */
    int64_t vtime; /* with own_time: Unix seconds within [TIME_MIN, TIME_MAX] */
    char *skip;    /* NULL, or why certpath cannot run this case faithfully (it is reported
                    * as skipped with this text, never run): 1..TEXT_MAX characters */
};

struct cp_manifest_index; /* private: id lookups */

struct cp_manifest {
    char *suite_id;    /* lowercase hex, 1..SUITE_ID_MAX digits */
    char *generator;   /* "certpath 0.1.0" */
    char *minted_with; /* "mbedTLS 2.28.3" */
    uint64_t seed;     /* written as a decimal string (a JSON number cannot hold 64 bits) */
    int64_t vtime;     /* validation_time_unix; "validation_time" is its RFC 3339 form */
    char **profiles;   /* 1..MAX_PROFILES names, unique */
    int nprofiles;
    char **features; /* 0..MAX_NAMES names, unique */
    int nfeatures;
    char **reasons; /* 1..MAX_NAMES names, unique */
    int nreasons;
    struct cp_manifest_cert *certs; /* 1..MAX_CERTS */
    int ncerts;
    struct cp_manifest_case *cases; /* 1..MAX_CASES */
    int ncases;
    struct cp_manifest_index *index; /* built by load and by cp_manifest_index_build */
};

/* An empty manifest: nothing allocated. Cannot fail. */
void cp_manifest_init(struct cp_manifest *m);
/* Releases everything the manifest owns and leaves it empty; NULL and a second call are fine. */
void cp_manifest_free(struct cp_manifest *m);
/* Releases what one case owns (its strings, lists and nprofiles expectations) and zeroes it:
 * for a maker that drops a case it filled and reuses the slot. */
void cp_manifest_case_free(struct cp_manifest_case *c, int nprofiles);

/* Reads and checks dir/manifest.json into m (initialised here; freed on failure). CP_E_NOTFOUND
 * when there is no such file, CP_E_IO when it cannot be read, CP_E_LIMIT when it is larger than
 * CP_MANIFEST_MAX_BYTES, CP_E_FORMAT for anything the format does not allow, CP_E_NOMEM. */
int cp_manifest_load(const char *dir, struct cp_manifest *m);
/* The same from text[0..len); name is what messages call the file. */
int cp_manifest_parse(const char *text, size_t len, const char *name, struct cp_manifest *m);

/* Sets m's profile, feature and reason lists (copied) and sizes certs[ncerts] and
 * cases[ncases] (zeroed, each case's expect[] sized to the profiles) for a maker to fill.
 * m must be freshly initialised. CP_E_LIMIT past a limit, CP_E_NOMEM. */
int cp_manifest_alloc(struct cp_manifest *m, const char *const *profiles, int nprofiles,
                      const char *const *features, int nfeatures, const char *const *reasons,
                      int nreasons, int ncerts, int ncases);

/* Checks a filled manifest against every limit the reader applies (name says what messages
 * call it) and builds its id index. CP_E_FORMAT or CP_E_LIMIT naming the field. */
int cp_manifest_check(struct cp_manifest *m, const char *name);

/* Checks m (cp_manifest_check) and writes dir/manifest.json through a temporary file renamed
 * into place. CP_E_IO naming the path when the write fails (a full disk included). */
int cp_manifest_write(struct cp_manifest *m, const char *dir);

/* The index of the case or certificate with this id, or -1 (also before the index is built). */
int cp_manifest_find_case(const struct cp_manifest *m, const char *id);
int cp_manifest_find_cert(const struct cp_manifest *m, const char *id);
/* The case's validation time: its own when it has one, else the suite's. */
int64_t cp_manifest_case_time(const struct cp_manifest *m, const struct cp_manifest_case *c);
/* The index of name in names[0..n), or -1: a feature's bit, a profile's expect[] slot. */
int cp_manifest_name_index(char *const *names, int n, const char *name);

/* "2026-11-29T05:00:00Z" for Unix seconds within [TIME_MIN, TIME_MAX]; cap >= 21. */
void cp_manifest_time_format(int64_t t, char *buf, size_t cap);
/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ" with a real date (no 2026-02-30, no hour 24) into
 * Unix seconds; CP_E_FORMAT without a message otherwise (the caller names the field). */
int cp_manifest_time_parse(const char *s, int64_t *out);

#endif
