/*
 * test_names_report.c - the matrix's name-constraint columns on a real run: the names suite's
 * cases beyond BetterTLS (names/beyond/...) through OpenSSL in-process, reported as text,
 * Markdown and HTML. Each column's figures are counted here from the results file (every case
 * that carries the column's nc-* facet, pass of pass + wrongly accepted + wrongly rejected) and
 * pinned: OpenSSL 3.0's figures, with the one case 3.5 gets right (a URI's userinfo, which 3.0
 * reads as its host: names/beyond/uri/host-port-userinfo, nc-uri on an intermediate).
 */
#include "cp_fs.h"
#include "cp_missing.h"
#include "cp_tool_test.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NCOLS 11

struct col {
    const char *facet, *abbrev;
    int pass, scored; /* OpenSSL 3.0, webpki */
};

/* The facets in the order the report shows them: GeneralName types, then placements. */
static const struct col cols[NCOLS] = {
    {"nc-dns", "dns", 35, 40},
    {"nc-ipv4", "ipv4", 8, 8},
    {"nc-ipv6", "ipv6", 3, 3},
    {"nc-email", "email", 6, 6},
    {"nc-uri", "uri", 4, 5},
    {"nc-dirname", "dirname", 3, 3},
    {"nc-on-intermediate", "on-ica", 57, 63},
    {"nc-on-anchor", "on-anchor", 2, 2},
    {"nc-two-levels", "2-levels", 14, 14},
    {"nc-on-leaf", "on-leaf", 1, 1},
    {"nc-malformed", "malformed", 3, 6},
};

static bool has(const cJSON *list, const char *name)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, list)
    {
        if (cJSON_IsString(f) && strcmp(f->valuestring, name) == 0)
            return true;
    }
    return false;
}

/* pass/scored of the cases carrying facet under profile, counted from the results file. */
static void tally(const cJSON *res, const char *facet, const char *profile, int *pass, int *scored)
{
    const cJSON *k;
    *pass = *scored = 0;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(res, "cases"))
    {
        if (!has(cJSON_GetObjectItem(k, "features"), facet))
            continue;
        const char *v = cp_test_field(cJSON_GetObjectItem(k, "verdict"), profile);
        *pass += strcmp(v, "pass") == 0;
        *scored += strcmp(v, "pass") == 0 || strncmp(v, "wrongly-", 8) == 0;
    }
}

static char *slurp(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    cr_assert_eq(cp_fs_read(path, 1 << 24, &text, &len), 0, "%s", path);
    return text;
}

Test(names_report, columns_per_general_name_type_and_placement, .timeout = 120)
{
    char module[PATH_MAX], dir[] = "/tmp/cp-names-rep.XXXXXX", args[PATH_MAX + 160], path[PATH_MAX];
    char *out = NULL;
    snprintf(module, sizeof(module), "%.*s/adapters/certpath-adapter-openssl.so",
             (int)(strrchr(CP_CERTPATH_BIN, '/') - CP_CERTPATH_BIN), CP_CERTPATH_BIN);
    if (access(module, R_OK) != 0)
        cp_test_missing("openssl", "the openssl adapter is not built here");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(args, sizeof(args), "generate --family names -j 2 -o %s/suite", dir);
    cr_assert_eq(cp_test_certpath(dir, NULL, args, NULL, &out), 0, "%s", out);
    free(out);
    snprintf(args, sizeof(args),
             "run --stack openssl --suite suite -j 2 --filter 'names/beyond/*' -o r.json");
    cr_assert_eq(cp_test_certpath(dir, NULL, args, NULL, &out), 0, "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/r.json", dir);
    cJSON *res = cp_test_load_json(path);
    const char *version = cp_test_field(cJSON_GetObjectItem(res, "stack"), "version");
    const char *uri = cp_test_field(
        cJSON_GetObjectItem(cp_test_case_of(res, "names/beyond/uri/host-port-userinfo"), "verdict"),
        "webpki");
    int fixed = strcmp(uri, "pass") == 0; /* 3.5 reads the userinfo as userinfo */
    if (strncmp(version, "OpenSSL 3.0.", 12) == 0)
        cr_expect(!fixed, "%s: the URI case is %s", version, uri);

    /* The text matrix: a line of facet names after the usual matrix, then the stack's figures. */
    cr_assert_eq(cp_test_certpath(dir, NULL, "report r.json", NULL, &out), 0, "%s", out);
    const char *nc = strstr(out, "\nname constraints: pass/scored per GeneralName type | per "
                                 "placement\n");
    cr_assert_not_null(nc, "%s", out);
    const char *head = strstr(nc, "\nstack "), *row = head ? strstr(head + 1, "\nopenssl ") : NULL;
    cr_assert(head && row, "%s", nc);
    char md_want[NCOLS][32];
    const char *at = row, *cell_at[NCOLS] = {0};
    for (int k = 0; k < NCOLS; k++) {
        int pass, scored;
        bool uri_case = strcmp(cols[k].facet, "nc-uri") == 0 ||
                        strcmp(cols[k].facet, "nc-on-intermediate") == 0;
        tally(res, cols[k].facet, "webpki", &pass, &scored);
        cr_expect_eq(pass, cols[k].pass + (uri_case ? fixed : 0), "%s", cols[k].facet);
        cr_expect_eq(scored, cols[k].scored, "%s", cols[k].facet);
        char want[32];
        snprintf(want, sizeof(want), " %d/%d", pass, scored);
        cr_expect(strstr(head, cols[k].abbrev) && strstr(head, cols[k].abbrev) < row,
                  "column %s: %s", cols[k].abbrev, nc);
        const char *cell = strstr(at, want);
        cr_expect(cell && (cell[strlen(want)] == ' ' || cell[strlen(want)] == '\n'), "%s: %s in %s",
                  cols[k].facet, want, row);
        cell_at[k] = cell;
        at = cell ? cell + strlen(want) : at;
        snprintf(md_want[k], sizeof(md_want[k]), "%d/%d |", pass, scored);
    }
    /* The bar between the last type's figure and the first placement's. */
    const char *bar = strchr(row + 1, '|');
    cr_expect(bar && cell_at[5] && cell_at[6] && cell_at[5] < bar && bar < cell_at[6], "%s", row);
    free(out);

    /* rfc5280 does not apply the anchor's constraints: OpenSSL's anchor case is wrong there. */
    cr_assert_eq(cp_test_certpath(dir, NULL, "report r.json --profile rfc5280", NULL, &out), 0);
    int pass, scored;
    tally(res, "nc-on-anchor", "rfc5280", &pass, &scored);
    cr_expect_eq(pass, 1);
    cr_expect_eq(scored, 2);
    nc = strstr(out, "\nname constraints:");
    cr_expect(nc && strstr(nc, " 1/2 "), "%s", out);
    free(out);

    /* Markdown: a table of its own, the same figures in the same order. */
    cr_assert_eq(cp_test_certpath(dir, NULL, "report r.json --markdown r.md", NULL, &out), 0);
    free(out);
    snprintf(path, sizeof(path), "%s/r.md", dir);
    char *md = slurp(path);
    const char *sect = strstr(md, "### Name constraints\n\n| Stack | Mode | dNSName | iPAddress v4 "
                                  "| iPAddress v6 | rfc822Name | URI | directoryName | Placement: "
                                  "On an intermediate | Placement: On the trust anchor | "
                                  "Placement: At two levels | Placement: On the leaf | Placement: "
                                  "Malformed constraints |\n");
    cr_assert_not_null(sect, "%s", md);
    at = strstr(sect, "| `openssl` | in-process |");
    cr_assert_not_null(at, "%s", sect);
    for (int k = 0; k < NCOLS && at; k++) {
        const char *cell = strstr(at, md_want[k]);
        cr_expect(cell && cell < strchr(at, '\n'), "%s: %s", cols[k].facet, md_want[k]);
        at = cell ? cell + 1 : NULL;
    }
    free(md);

    /* HTML: a section whose cells list their cases by facet, as the matrix's do. */
    cr_assert_eq(
        cp_test_certpath(dir, NULL, "report r.json --suite suite --html r.html", NULL, &out), 0);
    free(out);
    snprintf(path, sizeof(path), "%s/r.html", dir);
    char *html = slurp(path);
    const char *table = strstr(html, "<table class=\"matrix\" id=\"nc-matrix\">");
    cr_assert_not_null(table);
    cr_expect(strstr(table, "<th colspan=\"6\">GeneralName type</th><th colspan=\"5\">"
                            "Placement</th>"));
    for (int k = 0; k < NCOLS; k++) {
        char attr[64];
        snprintf(attr, sizeof(attr), "data-feature=\"%s\"", cols[k].facet);
        const char *cell = strstr(table, attr), *end = cell ? strstr(cell, "</td>") : NULL;
        char figure[32];
        snprintf(figure, sizeof(figure), "%.*s", (int)(strlen(md_want[k]) - 2), md_want[k]);
        cr_expect(cell && end && strstr(cell, figure) && strstr(cell, figure) < end, "%s: %s",
                  cols[k].facet, figure);
    }
    free(html);

    /* The controls alone carry no facet: the same suite's features, no name-constraint table. */
    cr_assert_eq(cp_test_certpath(
                     dir, NULL, "run --stack openssl --suite suite --filter 'controls/*' -o c.json",
                     NULL, &out),
                 0, "%s", out);
    free(out);
    cr_assert_eq(cp_test_certpath(dir, NULL, "report c.json --markdown -", NULL, &out), 0);
    cr_expect_null(strstr(out, "name constraints"), "%s", out);
    cr_expect_null(strstr(out, "Name constraints\n"), "%s", out);
    free(out);
    cJSON_Delete(res);
    cp_fs_rmtree(dir);
}
