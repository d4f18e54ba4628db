/*
 * graph.c - a case's graph drawn as inline SVG, from the suite's manifest (suite_view.c).
 *
 * Layout: entities are nodes in layers, the leaf's at the bottom; a node's layer is its
 * shortest distance, going from subject to issuer, to a node that issues nothing (the leaf
 * first), so roots sit on top and a cross-signature goes up a layer. Nodes in no such chain (a
 * pure cycle) get a layer of their own on top. Within a layer, a few barycenter sweeps put
 * nodes over the ones they issue to, which keeps most arrows short and uncrossed. Parallel
 * certificates (a re-key, a cross-sign) bow apart; arrows going up (cycles) bow to the side.
 */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdlib.h>
#include <string.h>

/* The largest graph the generator makes has 64 certificates; twice that leaves room. */
#define G_MAX_CERTS 128
#define G_MAX_NODES 128

#define G_NODE_H 28.0
#define G_LAYER_GAP 92.0
#define G_NODE_GAP 34.0
#define G_MARGIN 24.0

enum edge_style { E_UNSENT, E_SENT, E_PATH, E_BAD };

struct g_node {
    const char *name;
    int layer, order;
    double x, y, w, key;
    bool anchor, leaf, bad;
};

struct g_edge {
    int from, to, k, m; /* k-th of m certificates between the same two nodes */
    const struct cp_manifest_cert *cert;
    char sent[40]; /* positions in the sent list, "2" or "2,5" */
    enum edge_style style;
    bool anchor_cert;
    const char *reason;                    /* why it is at fault under the profile */
    bool loop;                             /* a self-signed certificate that is sent: a loop */
    double x0, y0, cx, cy, x2, y2, bx, by; /* the curve, and where its badge goes */
};

struct g_graph {
    int nn, ne, nlayers;
    struct g_node n[G_MAX_NODES];
    struct g_edge e[G_MAX_CERTS];
    double minx, miny, maxx, maxy; /* what the drawing covers */
};

/* Small helpers instead of libm, which nothing else here links. */
static double dmax(double a, double b)
{
    return a > b ? a : b;
}

static double dabs(double a)
{
    return a < 0 ? -a : a;
}

static double droot(double v)
{
    double x = v > 1 ? v : 1;
    for (int i = 0; i < 40; i++)
        x = 0.5 * (x + v / x);
    return x;
}

static int node_of(struct g_graph *g, const char *name)
{
    for (int i = 0; i < g->nn; i++) {
        if (strcmp(g->n[i].name, name) == 0)
            return i;
    }
    if (g->nn >= G_MAX_NODES)
        return -1;
    g->n[g->nn].name = name;
    g->n[g->nn].layer = -1;
    return g->nn++;
}

static bool in_list(const int *refs, int n, int cert)
{
    for (int i = 0; i < n; i++) {
        if (refs[i] == cert)
            return true;
    }
    return false;
}

/* A chain ruled out for want of an issuer, a cycle or depth has no bad certificate. */
static bool blames_cert(const char *reason)
{
    return strcmp(reason, "no-issuer") && strcmp(reason, "cycle") && strcmp(reason, "too-deep");
}

static void classify(struct g_graph *g, struct g_edge *e, int cert, const struct cp_manifest *m,
                     const struct cp_manifest_case *kase, const struct cp_manifest_expect *expect)
{
    size_t n = 0;
    for (int pos = 1; pos <= kase->nsent; pos++) {
        if (kase->sent[pos - 1] == cert && n + 6 < sizeof(e->sent))
            n += (size_t)snprintf(e->sent + n, sizeof(e->sent) - n, "%s%d", n ? "," : "", pos);
    }
    e->anchor_cert = in_list(kase->anchors, kase->nanchors, cert);
    e->style = n ? E_SENT : E_UNSENT;
    for (int i = 0; expect && i < expect->npaths; i++) {
        if (in_list(expect->paths[i].certs, expect->paths[i].n, cert) && !e->anchor_cert)
            e->style = E_PATH;
    }
    for (int i = 0; expect && i < expect->nrejected; i++) {
        const char *reason = m->reasons[expect->rejected[i].reason];
        if (expect->rejected[i].at == cert && blames_cert(reason)) {
            e->style = E_BAD;
            e->reason = reason;
        }
    }
    if (e->anchor_cert)
        g->n[e->to].anchor = true;
    if (e->style == E_BAD && e->from == e->to)
        g->n[e->to].bad = true;
}

/* Reads the case's graph: every certificate whose id shares the leaf's graph tag. */
static int build(struct g_graph *g, const struct cp_rep_suite *s,
                 const struct cp_manifest_case *kase, int profile)
{
    const char *leaf = s->man.certs[kase->leaf].id, *slash = strrchr(leaf, '/');
    const struct cp_manifest_expect *expect = profile >= 0 ? &kase->expect[profile] : NULL;
    char id[256];
    if (!slash || slash - leaf > 200)
        return -1;
    for (int i = 0; i < G_MAX_CERTS; i++) {
        snprintf(id, sizeof(id), "%.*s/%d", (int)(slash - leaf), leaf, i);
        const struct cp_manifest_cert *c = cp_rep_suite_cert(s, id);
        if (!c)
            break;
        struct g_edge *e = &g->e[g->ne];
        memset(e, 0, sizeof(*e));
        e->cert = c;
        e->from = node_of(g, c->issuer);
        e->to = node_of(g, c->subject);
        if (e->from < 0 || e->to < 0)
            return -1;
        classify(g, e, (int)(c - s->man.certs), &s->man, kase, expect);
        if (strcmp(id, leaf) == 0)
            g->n[e->to].leaf = true;
        g->ne++;
    }
    return g->ne > 0 ? 0 : -1;
}

/* An edge the layout follows: drawn, and between two different nodes. */
static bool drawn(const struct g_edge *e)
{
    return e->from != e->to && !(e->anchor_cert && e->style == E_UNSENT);
}

static void assign_layers(struct g_graph *g)
{
    int queue[G_MAX_NODES], head = 0, tail = 0, top = 0;
    for (int i = 0; i < g->nn; i++) {
        bool issues = false;
        for (int k = 0; k < g->ne; k++)
            issues |= drawn(&g->e[k]) && g->e[k].from == i;
        if (!issues || g->n[i].leaf) {
            g->n[i].layer = 0;
            queue[tail++] = i;
        }
    }
    while (head < tail) {
        int v = queue[head++];
        for (int k = 0; k < g->ne; k++) {
            const struct g_edge *e = &g->e[k];
            if (drawn(e) && e->to == v && g->n[e->from].layer < 0) {
                g->n[e->from].layer = g->n[v].layer + 1;
                top = g->n[e->from].layer > top ? g->n[e->from].layer : top;
                queue[tail++] = e->from;
            }
        }
    }
    g->nlayers = top + 1;
    /* A node no sink chain reaches (issued from the graph but issuing only into a cycle of its
     * own) goes one layer below its lowest placed issuer, so its arrows still point down. */
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < g->nn; i++) {
            int best = -1;
            for (int k = 0; k < g->ne; k++) {
                const struct g_edge *e = &g->e[k];
                int below = g->n[e->from].layer > 0 ? g->n[e->from].layer - 1 : 0;
                if (g->n[i].layer < 0 && drawn(e) && e->to == i && g->n[e->from].layer >= 0 &&
                    (best < 0 || below < best))
                    best = below;
            }
            if (best >= 0) {
                g->n[i].layer = best;
                changed = true;
            }
        }
    }
    for (int i = 0; i < g->nn; i++) {
        if (g->n[i].layer < 0)
            g->n[i].layer = top + 1, g->nlayers = top + 2;
    }
}

/* Sorts the nodes of one layer by key (insertion sort: layers are small), renumbering order. */
static void sort_layer(struct g_graph *g, int layer)
{
    int idx[G_MAX_NODES], n = 0;
    for (int i = 0; i < g->nn; i++) {
        if (g->n[i].layer == layer)
            idx[n++] = i;
    }
    for (int i = 1; i < n; i++) {
        int v = idx[i], j = i - 1;
        while (j >= 0 && (g->n[idx[j]].key > g->n[v].key || (g->n[idx[j]].key == g->n[v].key &&
                                                             g->n[idx[j]].order > g->n[v].order))) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = v;
    }
    for (int i = 0; i < n; i++)
        g->n[idx[i]].order = i;
}

/* Each node's key: the mean order of its neighbours in the layer below (down) or above. */
static void sweep(struct g_graph *g, int layer, bool from_below)
{
    for (int i = 0; i < g->nn; i++) {
        double sum = 0;
        int cnt = 0;
        if (g->n[i].layer != layer)
            continue;
        for (int k = 0; k < g->ne; k++) {
            const struct g_edge *e = &g->e[k];
            int other = from_below ? (e->from == i ? e->to : -1) : (e->to == i ? e->from : -1);
            if (!drawn(e) || other < 0 || g->n[other].layer != layer + (from_below ? -1 : 1))
                continue;
            sum += g->n[other].order;
            cnt++;
        }
        g->n[i].key = cnt ? sum / cnt : g->n[i].order;
        if (g->n[i].leaf && layer == 0)
            g->n[i].key = -1; /* the leaf first */
    }
    sort_layer(g, layer);
}

static void place(struct g_graph *g)
{
    double widths[G_MAX_NODES + 2] = {0}, widest = 0;
    int seen[G_MAX_NODES + 2] = {0};
    for (int i = 0; i < g->nn; i++) {
        struct g_node *v = &g->n[i];
        v->order = seen[v->layer]++;
        v->key = v->order;
        v->w = dmax(56.0, 7.4 * (double)strlen(v->name) + 22.0);
    }
    for (int round = 0; round < 3; round++) {
        for (int l = 0; l < g->nlayers; l++)
            sweep(g, l, true);
        for (int l = g->nlayers - 2; l >= 0; l--)
            sweep(g, l, false);
    }
    sweep(g, 0, true);
    for (int i = 0; i < g->nn; i++)
        widths[g->n[i].layer] += g->n[i].w + G_NODE_GAP;
    for (int l = 0; l < g->nlayers; l++)
        widest = dmax(widest, widths[l]);
    for (int l = 0; l < g->nlayers; l++) {
        double x = (widest - widths[l]) / 2;
        for (int ord = 0; ord < G_MAX_NODES; ord++) {
            int found = -1;
            for (int i = 0; i < g->nn && found < 0; i++) {
                if (g->n[i].layer == l && g->n[i].order == ord)
                    found = i;
            }
            if (found < 0)
                break;
            g->n[found].x = x + g->n[found].w / 2;
            g->n[found].y = (g->nlayers - 1 - l) * G_LAYER_GAP;
            x += g->n[found].w + G_NODE_GAP;
        }
    }
    /* Number the certificates between each pair of nodes, either way, so they bow apart. */
    for (int k = 0; k < g->ne; k++) {
        struct g_edge *e = &g->e[k];
        for (int j = 0; j < g->ne; j++) {
            const struct g_edge *o = &g->e[j];
            bool pair =
                (o->from == e->from && o->to == e->to) || (o->from == e->to && o->to == e->from);
            if (!drawn(o) || !pair)
                continue;
            e->k += j < k;
            e->m++;
        }
    }
}

static const char *const style_class[] = {"e-unsent", "e-sent", "e-path", "e-bad"};

static void cover(struct g_graph *g, double x, double y)
{
    g->minx = x < g->minx ? x : g->minx;
    g->maxx = x > g->maxx ? x : g->maxx;
    g->miny = y < g->miny ? y : g->miny;
    g->maxy = y > g->maxy ? y : g->maxy;
}

/* Where an edge runs: a quadratic curve from issuer to subject (a cubic loop for a sent
 * self-signed certificate), bowed apart from its parallels, and the middle for its badge. */
static void geometry(struct g_graph *g, struct g_edge *e)
{
    const struct g_node *a = &g->n[e->from], *b = &g->n[e->to];
    double spread = (e->k - (e->m - 1) / 2.0) * 30.0;
    if (e->loop) {
        e->x0 = a->x + a->w / 2, e->y0 = a->y;
        e->bx = e->x0 + 30, e->by = e->y0;
        cover(g, e->x0 + 40, e->y0 - 30);
        cover(g, e->x0 + 40, e->y0 + 30);
        return;
    }
    if (a->layer > b->layer) { /* down: issuer above its subject */
        e->x0 = a->x, e->y0 = a->y + G_NODE_H / 2, e->x2 = b->x, e->y2 = b->y - G_NODE_H / 2 - 3;
    } else if (a->layer == b->layer) { /* along a layer: over the top */
        e->x0 = a->x, e->y0 = a->y - G_NODE_H / 2, e->x2 = b->x, e->y2 = b->y - G_NODE_H / 2 - 3;
        spread -= 36 + dabs(e->x2 - e->x0) * 0.12;
    } else { /* up: a cycle or a cross-sign back down the chain */
        e->x0 = a->x + a->w / 4, e->y0 = a->y - G_NODE_H / 2, e->x2 = b->x + b->w / 4,
        e->y2 = b->y + G_NODE_H / 2 + 3;
        spread += 46;
    }
    double dx = e->x2 - e->x0, dy = e->y2 - e->y0, len = droot(dx * dx + dy * dy);
    len = len < 1 ? 1 : len;
    if (a->layer == b->layer)
        e->cx = (e->x0 + e->x2) / 2, e->cy = (e->y0 + e->y2) / 2 + spread;
    else
        e->cx = (e->x0 + e->x2) / 2 - dy / len * spread,
        e->cy = (e->y0 + e->y2) / 2 + dx / len * spread;
    e->bx = 0.25 * e->x0 + 0.5 * e->cx + 0.25 * e->x2;
    e->by = 0.25 * e->y0 + 0.5 * e->cy + 0.25 * e->y2;
    /* A quadratic curve stays inside the triangle of its points; its badge too, nearly. */
    cover(g, e->bx - 20, e->by - 10);
    cover(g, e->bx + 20, e->by + 10);
    cover(g, e->x0, e->y0);
    cover(g, e->x2, e->y2);
    cover(g, (e->bx + e->cx) / 2, (e->by + e->cy) / 2);
}

/* Two arrows that cross halfway (a ladder's rungs) would hide one badge under the other: a
 * badge that lands on an earlier one slides along its arrow. */
static void place_badges(struct g_graph *g)
{
    static const double ts[] = {0.5, 0.36, 0.64, 0.27, 0.73};
    for (int k = 0; k < g->ne; k++) {
        struct g_edge *e = &g->e[k];
        if (!e->sent[0] || e->loop || !drawn(e))
            continue;
        for (size_t i = 0; i < CP_ARRAY_LEN(ts); i++) {
            double t = ts[i], u = 1 - t;
            double x = u * u * e->x0 + 2 * u * t * e->cx + t * t * e->x2;
            double y = u * u * e->y0 + 2 * u * t * e->cy + t * t * e->y2;
            bool clear = true;
            for (int j = 0; j < k && clear; j++) {
                const struct g_edge *o = &g->e[j];
                if (o->sent[0] && (drawn(o) || o->loop))
                    clear = dabs(o->bx - x) > 18 || dabs(o->by - y) > 15;
            }
            if (clear || i + 1 == CP_ARRAY_LEN(ts)) {
                e->bx = clear ? x : e->bx;
                e->by = clear ? y : e->by;
                break;
            }
        }
    }
}

static void put_edge(FILE *out, const struct g_edge *e)
{
    const char *style = style_class[e->style];
    if (e->loop)
        fprintf(out,
                "<path class=\"%s\" d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" "
                "marker-end=\"url(#cp-a-%s)\"/>",
                style, e->x0, e->y0 - 7, e->x0 + 38, e->y0 - 30, e->x0 + 38, e->y0 + 30, e->x0 + 3,
                e->y0 + 9, style + 2);
    else
        fprintf(out,
                "<path class=\"%s\" d=\"M%.1f %.1f Q%.1f %.1f %.1f %.1f\" "
                "marker-end=\"url(#cp-a-%s)\"/>",
                style, e->x0, e->y0, e->cx, e->cy, e->x2, e->y2, style + 2);
    if (e->sent[0]) {
        double w = 8.0 + 6.6 * (double)strlen(e->sent);
        fprintf(out,
                "<rect class=\"b-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
                "rx=\"8\"/><text class=\"bt\" x=\"%.1f\" y=\"%.1f\">%s</text>",
                style + 2, e->bx - w / 2, e->by - 8, w, e->bx, e->by + 4, e->sent);
    }
}

static void put_edge_title(FILE *out, const struct g_edge *e)
{
    const char *defects = e->cert->defects;
    fputs("<title>", out);
    cp_rep_put_xml(out, e->cert->label);
    if (e->sent[0])
        fprintf(out, ", sent #%s", e->sent);
    else
        fputs(e->anchor_cert ? ", the anchor's certificate" : ", not sent", out);
    if (*defects) {
        fputs(": ", out);
        cp_rep_put_xml(out, defects);
    }
    if (e->reason) {
        fputs(" \xe2\x80\x94 at fault: ", out);
        cp_rep_put_xml(out, e->reason);
    }
    fputs("</title>", out);
}

void cp_rep_graph_defs(FILE *out)
{
    static const struct {
        const char *name, *color;
    } arrows[] = {
        {"unsent", "#9aa4b1"}, {"sent", "#3d4450"}, {"path", "#1a7f37"}, {"bad", "#cf222e"}};
    fputs("<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>",
          out);
    for (size_t i = 0; i < CP_ARRAY_LEN(arrows); i++)
        fprintf(out,
                "<marker id=\"cp-a-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
                "<path d=\"M0 0L10 5L0 10z\" fill=\"%s\"/></marker>",
                arrows[i].name, arrows[i].color);
    fputs("</defs></svg>\n", out);
}

void cp_rep_draw_graph(FILE *out, const struct cp_rep_suite *s, const struct cp_manifest_case *kase,
                       int profile)
{
    struct g_graph *g = calloc(1, sizeof(*g));
    if (!g || build(g, s, kase, profile)) {
        fputs("<p class=\"note\">No graph: the case's certificates are not in the manifest, or "
              "too many to draw.</p>",
              out);
        goto out;
    }
    assign_layers(g);
    place(g);
    g->minx = g->maxx = g->n[0].x;
    g->miny = g->maxy = g->n[0].y;
    for (int i = 0; i < g->nn; i++) {
        const struct g_node *v = &g->n[i];
        cover(g, v->x - v->w / 2, v->y - G_NODE_H / 2 - (v->anchor ? 4 : 0));
        cover(g, v->x + v->w / 2, v->y + G_NODE_H / 2);
    }
    for (int k = 0; k < g->ne; k++) {
        struct g_edge *e = &g->e[k];
        e->loop = e->from == e->to && e->sent[0];
        if (drawn(e) || e->loop)
            geometry(g, e);
    }
    place_badges(g);
    double x = g->minx - G_MARGIN, y = g->miny - G_MARGIN;
    double w = g->maxx - g->minx + 2 * G_MARGIN, h = g->maxy - g->miny + 2 * G_MARGIN;
    fprintf(out,
            "<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"%.0f %.0f %.0f %.0f\" role=\"img\" "
            "aria-label=\"certificate graph\">",
            w, h, x, y, w, h);
    /* Unsent arrows first, so the ones that matter are drawn over them. */
    for (int pass = E_UNSENT; pass <= E_BAD; pass++) {
        for (int k = 0; k < g->ne; k++) {
            const struct g_edge *e = &g->e[k];
            if ((int)e->style != pass || !(drawn(e) || e->loop))
                continue;
            fputs("<g class=\"edge\">", out);
            put_edge_title(out, e);
            put_edge(out, e);
            fputs("</g>", out);
        }
    }
    for (int i = 0; i < g->nn; i++) {
        const struct g_node *v = &g->n[i];
        fprintf(out, "<g class=\"node%s%s%s\"><title>", v->anchor ? " anchor" : "",
                v->leaf ? " leaf" : "", v->bad ? " bad" : "");
        cp_rep_put_xml(out, v->name);
        fputs(v->anchor ? ": trust anchor" : v->leaf ? ": the leaf" : "", out);
        fputs("</title>", out);
        if (v->anchor) /* a double border: trust starts here */
            fprintf(out,
                    "<rect class=\"ring\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\" rx=\"9\"/>",
                    v->x - v->w / 2 - 4, v->y - G_NODE_H / 2 - 4, v->w + 8, G_NODE_H + 8);
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\"/>"
                "<text x=\"%.1f\" y=\"%.1f\">",
                v->x - v->w / 2, v->y - G_NODE_H / 2, v->w, G_NODE_H, v->x, v->y + 4.5);
        cp_rep_put_xml(out, v->name);
        fputs("</text></g>", out);
    }
    fputs("</svg>", out);
out:
    free(g);
}
