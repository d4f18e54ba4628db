/*
 * controls.c - the two control cases every run starts with: one that any working verifier
 * accepts and one that any working verifier rejects. An adapter that fails either is broken
 * (misconfigured, or not verifying at all) and its other results are not scored.
 */
#include "cp_families.h"

static int control(struct cp_model *m, const char *id, bool trusted)
{
    struct cp_graph *g = cp_model_graph(m, id);
    if (!g)
        return CP_E_NOMEM;
    int root = cp_graph_entity(g, "Root"), ica = cp_graph_entity(g, "ICA");
    int ee = cp_graph_entity(g, "EE"), stranger = cp_graph_entity(g, "Unrelated Root");
    int sent[] = {cp_graph_leaf(g, ica, ee), cp_graph_ca(g, root, ica)};
    int anchor = trusted ? root : stranger;
    struct cp_case_spec s = {
        .id = id,
        .summary = trusted ? "Control: a plain valid chain; every verifier must accept it"
                           : "Control: a chain to an untrusted root; every verifier must reject it",
        .leaf = sent[0],
        .anchors = &anchor,
        .nanchors = 1,
        .sent = sent,
        .nsent = 2,
        .probe = true,
    };
    return cp_model_case(m, g, &s);
}

int cp_family_controls(struct cp_model *m)
{
    int rc = control(m, "controls/accept", true);
    return rc ? rc : control(m, "controls/reject", false);
}
