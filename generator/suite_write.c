/*
 * suite_write.c - minting every graph and writing the suite's files, in parallel and atomically.
 *
 * Graphs are independent: each thread takes the next graph, mints it (its DRBG is seeded by the
 * graph, so the bytes do not depend on which thread takes it), writes its certificates and the
 * files of its cases, and keeps the DER for the manifest. The whole suite goes to a temporary
 * directory that replaces the target only when everything was written.
 */
#include "cp_fs.h"
#include "cp_generator.h"
#include "cp_generator_internal.h"
#include "cp_suite_internal.h"

#include <errno.h>
#include <limits.h>
#include <mbedtls/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PEM_CERT_BEGIN "-----BEGIN CERTIFICATE-----\n"
#define PEM_CERT_END "-----END CERTIFICATE-----\n"
/* A certificate here is under 2 KiB of DER (RSA-2048 with a few SANs); PEM adds a third. */
#define CP_PEM_CERT_MAX 4096
/* PEM of an RSA-2048 private key is about 1.7 KiB. */
#define CP_PEM_KEY_MAX 4096
#define CP_MAX_THREADS 64

struct job {
    const struct cp_model *m;
    const struct cp_keypool *kp;
    const struct cp_gen_opts *o;
    const char *dir;
    struct cp_minted *minted; /* per graph */
    int **graph_cases;        /* per graph: its case indexes, -1 terminated */
    atomic_int next;
    atomic_int failed;
    int rc; /* the first failure, with its message in msg */
    char msg[1024];
    pthread_mutex_t lock;
};

static int pem_cert(const unsigned char *der, size_t len, char *buf, size_t cap, size_t *olen)
{
    int ret = mbedtls_pem_write_buffer(PEM_CERT_BEGIN, PEM_CERT_END, der, len, (unsigned char *)buf,
                                       cap, olen);
    if (ret)
        return cp_error_set(CP_E_LIMIT, "a %zu-byte certificate does not fit in %zu bytes of PEM",
                            len, cap);
    *olen = strlen(buf); /* olen counts the NUL */
    return 0;
}

/* out = a/b[/c]; a path too long for the buffer is an error, never a truncated path. */
static int join(char *out, size_t cap, const char *a, const char *b, const char *c)
{
    int n = c ? snprintf(out, cap, "%s/%s/%s", a, b, c) : snprintf(out, cap, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= cap)
        return cp_error_set(CP_E_LIMIT, "path %s/%s%s%s is too long", a, b, c ? "/" : "",
                            c ? c : "");
    return 0;
}

static int write_cert_files(struct job *j, const struct cp_graph *g, const struct cp_minted *mt)
{
    char dir[PATH_MAX], path[PATH_MAX], pem[CP_PEM_CERT_MAX], name[32];
    size_t len;
    int rc;
    if ((rc = join(dir, sizeof(dir), j->dir, "certs", g->tag)))
        return rc;
    if ((rc = cp_fs_mkdirs(dir)))
        return rc;
    for (int i = 0; i < mt->n; i++) {
        snprintf(name, sizeof(name), "%d.pem", i);
        if ((rc = join(path, sizeof(path), dir, name, NULL)) ||
            (rc = pem_cert(mt->der[i], mt->len[i], pem, sizeof(pem), &len)) ||
            (rc = cp_fs_write(path, pem, len)))
            return rc;
    }
    return 0;
}

/* Concatenated PEM of the given certificates, in order (duplicates kept). */
static int write_pem_list(const char *path, const struct cp_minted *mt, const int16_t *certs, int n)
{
    int rc = CP_E_NOMEM;
    size_t cap = (size_t)n * CP_PEM_CERT_MAX + 1, used = 0, len;
    char *buf = malloc(cap);
    if (!buf)
        return cp_error_set(rc, "out of memory writing %s", path);
    for (int i = 0; i < n; i++) {
        if ((rc = pem_cert(mt->der[certs[i]], mt->len[certs[i]], buf + used, cap - used, &len)))
            goto out;
        used += len;
    }
    rc = cp_fs_write(path, buf, used);
out:
    free(buf);
    return rc;
}

static int write_case_files(struct job *j, const struct cp_graph *g, const struct cp_case *c,
                            const struct cp_minted *mt)
{
    char dir[PATH_MAX], path[PATH_MAX], key[CP_PEM_KEY_MAX];
    int16_t roots[CP_MAX_ANCHORS];
    int rc;
    if ((rc = join(dir, sizeof(dir), j->dir, "cases", c->id)) || (rc = cp_fs_mkdirs(dir)))
        return rc;
    if ((rc = join(path, sizeof(path), dir, "chain.pem", NULL)) ||
        (rc = write_pem_list(path, mt, c->sent, c->nsent)))
        return rc;
    for (int i = 0; i < c->nanchors; i++)
        roots[i] = (int16_t)cp_graph_self_signed(g, c->anchors[i]);
    if ((rc = join(path, sizeof(path), dir, "roots.pem", NULL)) ||
        (rc = write_pem_list(path, mt, roots, c->nanchors)))
        return rc;
    const struct cp_entity *leaf = &g->entities[g->certs[c->leaf].subject];
    if ((rc = cp_keypool_key_pem(j->kp, leaf, key, sizeof(key))) ||
        (rc = join(path, sizeof(path), dir, "leaf.key", NULL)))
        return rc;
    return cp_fs_write(path, key, strlen(key));
}

static int do_graph(struct job *j, int gi)
{
    const struct cp_graph *g = &j->m->graphs[gi];
    int rc = cp_mint_graph(j->kp, g, j->o->seed, j->o->vtime, &j->minted[gi]);
    if (!rc)
        rc = write_cert_files(j, g, &j->minted[gi]);
    for (int *ci = j->graph_cases[gi]; !rc && *ci >= 0; ci++)
        rc = write_case_files(j, g, &j->m->cases[*ci], &j->minted[gi]);
    return rc;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    for (;;) {
        if (atomic_load(&j->failed) || (j->o->stop && *j->o->stop))
            break;
        int gi = atomic_fetch_add(&j->next, 1);
        if (gi >= j->m->ngraphs)
            break;
        int rc = do_graph(j, gi);
        if (rc) {
            pthread_mutex_lock(&j->lock);
            if (!atomic_load(&j->failed)) {
                j->rc = rc;
                snprintf(j->msg, sizeof(j->msg), "%s", cp_error_msg(rc));
                atomic_store(&j->failed, 1);
            }
            pthread_mutex_unlock(&j->lock);
            break;
        }
    }
    return NULL;
}

/* Index of cases per graph, so a thread that owns a graph writes exactly its cases. */
static int index_cases(const struct cp_model *m, int ***out)
{
    int **idx = calloc((size_t)m->ngraphs + 1, sizeof(*idx));
    int *count = calloc((size_t)m->ngraphs + 1, sizeof(*count));
    int rc = CP_E_NOMEM;
    if (!idx || !count)
        goto out;
    for (int i = 0; i < m->ncases; i++)
        count[m->cases[i].graph]++;
    for (int gi = 0; gi < m->ngraphs; gi++) {
        if (!(idx[gi] = malloc(((size_t)count[gi] + 1) * sizeof(int))))
            goto out;
        idx[gi][count[gi]] = -1;
        count[gi] = 0;
    }
    for (int i = 0; i < m->ncases; i++) {
        int gi = m->cases[i].graph;
        idx[gi][count[gi]++] = i;
    }
    *out = idx;
    idx = NULL;
    rc = 0;
out:
    if (idx)
        cp_suite_free_index(idx, m->ngraphs);
    free(count);
    return rc ? cp_error_set(rc, "out of memory indexing cases") : 0;
}

void cp_suite_free_index(int **idx, int ngraphs)
{
    if (!idx)
        return;
    for (int gi = 0; gi < ngraphs; gi++)
        free(idx[gi]);
    free(idx);
}

static int thread_count(const struct cp_gen_opts *o)
{
    long n = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > CP_MAX_THREADS ? CP_MAX_THREADS : (int)n;
}

int cp_suite_mint_all(const struct cp_model *m, const struct cp_gen_opts *o, const char *dir,
                      struct cp_minted *minted)
{
    int rc, nthreads = thread_count(o), started = 0;
    pthread_t tid[CP_MAX_THREADS];
    struct cp_keypool *kp = NULL;
    struct job j = {.m = m, .o = o, .dir = dir, .minted = minted};
    pthread_mutex_init(&j.lock, NULL);
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    if ((rc = cp_keypool_new(o->seed, nthreads, &kp)) || (rc = index_cases(m, &j.graph_cases)))
        goto out;
    j.kp = kp;
    for (; started < nthreads; started++) {
        if (pthread_create(&tid[started], NULL, worker, &j)) {
            rc = cp_error_set(CP_E_INTERNAL, "cannot start a minting thread: %s", strerror(errno));
            atomic_store(&j.failed, 1);
            break;
        }
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (j.rc)
        rc = cp_error_set(j.rc, "%s", j.msg);
    else if (!rc && o->stop && *o->stop)
        rc = cp_error_set(CP_E_INTERRUPTED, "interrupted while writing %s", dir);
out:
    cp_suite_free_index(j.graph_cases, m->ngraphs);
    cp_keypool_free(kp);
    pthread_mutex_destroy(&j.lock);
    return rc;
}
