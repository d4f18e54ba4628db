#include "cp_fixture.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t cp_fixture_now(void)
{
    int64_t t = (int64_t)time(NULL);
    return t - t % 3600;
}

/* One graph per case, so each case trusts its own anchors. */
static int add_case(struct cp_fixture *f, const char *name, int64_t vtime)
{
    char gname[64];
    snprintf(gname, sizeof(gname), "fixture/%s", name);
    struct cp_graph *g = cp_model_graph(&f->m, gname);
    if (!g)
        return CP_E_NOMEM;
    int root = cp_graph_entity(g, "Root"), ica = cp_graph_entity(g, "ICA");
    int ee = cp_graph_entity(g, "EE"), other = cp_graph_entity(g, "Other Root");
    int c_ica = cp_graph_ca(g, root, ica), c_ee = cp_graph_leaf(g, ica, ee);
    int c_root = cp_graph_root(g, root);
    int sent[3] = {c_ee, c_ica, c_root}, nsent = 2, anchor = root;
    struct cp_case_spec s = {
        .id = gname, .leaf = c_ee, .anchors = &anchor, .nanchors = 1, .sent = sent};
    if (strcmp(name, "reversed") == 0) {
        sent[1] = c_root, sent[2] = c_ica, nsent = 3;
    } else if (strcmp(name, "untrusted-root") == 0) {
        anchor = other;
    } else if (strcmp(name, "expired-leaf") == 0) {
        struct cp_cert *leaf = cp_graph_cert_at(g, c_ee);
        if (leaf)
            leaf->not_before = -48 * CP_HOUR, leaf->not_after = -CP_HOUR;
    } else if (strcmp(name, "wrong-hostname") == 0) {
        struct cp_cert *leaf = cp_graph_cert_at(g, c_ee);
        if (leaf)
            snprintf(leaf->san[0], CP_HOST_MAX, "elsewhere.certpath.test"), leaf->nsan = 1;
        s.hostname_mismatch = true;
    } else if (strcmp(name, "missing-ica") == 0) {
        nsent = 1;
    }
    s.nsent = nsent;
    (void)vtime;
    return cp_model_case(&f->m, g, &s);
}

static void fill_input(struct cp_fixture *f, int i, int64_t vtime)
{
    struct cp_fixture_case *fc = &f->cases[i];
    const struct cp_case *c = &f->m.cases[i];
    const struct cp_graph *g = &f->m.graphs[c->graph];
    const struct cp_minted *mt = &f->minted[c->graph];
    for (int k = 0; k < c->nsent; k++)
        fc->chain[k] = (struct cp_der){mt->der[c->sent[k]], mt->len[c->sent[k]]};
    for (int k = 0; k < c->nanchors; k++) {
        int x = cp_graph_self_signed(g, c->anchors[k]); /* cp_model_case() made one */
        fc->roots[k] = (struct cp_der){mt->der[x], mt->len[x]};
    }
    fc->in = (struct cp_verify_input){.case_id = c->id,
                                      .chain = fc->chain,
                                      .nchain = c->nsent,
                                      .roots = fc->roots,
                                      .nroots = c->nanchors,
                                      .hostname = c->hostname,
                                      .vtime = vtime};
    fc->name = strchr(c->id, '/') + 1;
    fc->expect_accept = c->expect[CP_PROFILE_WEBPKI].outcome == CP_OUTCOME_ACCEPT;
}

int cp_fixture_build(struct cp_fixture *f, int64_t vtime)
{
    static const char *const names[] = {"good",         "reversed",       "untrusted-root",
                                        "expired-leaf", "wrong-hostname", "missing-ica"};
    int rc;
    memset(f, 0, sizeof(*f));
    cp_model_init(&f->m);
    for (size_t i = 0; i < CP_ARRAY_LEN(names); i++) {
        if ((rc = add_case(f, names[i], vtime)))
            return rc;
    }
    if ((rc = cp_model_finalise(&f->m)) || (rc = cp_oracle_expect_all(&f->m)) ||
        (rc = cp_keypool_new(42, 1, &f->kp)))
        return rc;
    for (int gi = 0; gi < f->m.ngraphs; gi++) {
        cp_minted_init(&f->minted[gi]);
        if ((rc = cp_mint_graph(f->kp, &f->m.graphs[gi], 42, vtime, &f->minted[gi])))
            return rc;
    }
    for (int i = 0; i < f->m.ncases; i++)
        fill_input(f, i, vtime);
    f->ncases = f->m.ncases;
    return 0;
}

void cp_fixture_free(struct cp_fixture *f)
{
    for (int gi = 0; gi < f->m.ngraphs && gi < CP_FIXTURE_MAX_CASES; gi++)
        cp_minted_free(&f->minted[gi]);
    cp_keypool_free(f->kp);
    cp_model_free(&f->m);
    memset(f, 0, sizeof(*f));
}

const struct cp_fixture_case *cp_fixture_get(const struct cp_fixture *f, const char *name)
{
    for (int i = 0; i < f->ncases; i++) {
        if (strcmp(f->cases[i].name, name) == 0)
            return &f->cases[i];
    }
    return NULL;
}

const struct cp_adapter *cp_fixture_adapter(const char *name, void **handle, const char **why)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/certpath-adapter-%s.so", CP_ADAPTER_DIR, name);
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        *why = dlerror();
        return NULL;
    }
    cp_adapter_entry_fn entry = (cp_adapter_entry_fn)dlsym(*handle, CP_ADAPTER_ENTRY);
    if (!entry) {
        *why = "module has no cp_adapter_entry";
        return NULL;
    }
    return entry();
}
