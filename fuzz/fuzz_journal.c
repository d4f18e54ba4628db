/*
 * fuzz_journal.c - libFuzzer target: the journal reader --resume uses (cp_journal_read() in
 * harness/journal.c). The run it resumes is taken from the input's own first line when that
 * is a header (suite, stack, mode, profiles, program, filter, shard) and its cases from the
 * ids the input names, so that inputs near a real journal reach the case lines; any other
 * input meets a fixed run.
 */
#include "cp_common.h"
#include "harness_internal.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_CASES 64

static const char *text_of(const cJSON *o, const char *key, const char *dflt)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return v ? v : dflt;
}

/* The run as the header describes it (or a fixed one), every id named anywhere a case. */
static int make_run(const char *text, size_t size, struct cp_results *r, struct cp_journal_id *id,
                    char *shard_text, size_t cap)
{
    const char *nl = memchr(text, '\n', size);
    cJSON *h = cJSON_ParseWithLength(text, nl ? (size_t)(nl - text) : size), *p;
    int rc = -1;
    r->suite_id = strdup(text_of(h, "suite_id", "0123456789abcdef"));
    r->stack = strdup(text_of(h, "stack", "fake"));
    r->mode = strdup(text_of(h, "mode", "in-process"));
    id->program = strdup(text_of(h, "program", "/fake.so"));
    id->filter = strdup(text_of(h, "filter", ""));
    snprintf(shard_text, cap, "%s", text_of(h, "shard", ""));
    if (sscanf(shard_text, "%d/%d", &id->shard_index, &id->shard_count) != 2)
        id->shard_index = id->shard_count = 0;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(h, "profiles"))
    {
        if (cJSON_IsString(p) && r->nprofiles < CP_RESULTS_MAX_PROFILES)
            r->profiles[r->nprofiles++] = strdup(p->valuestring);
    }
    cJSON_Delete(h);
    if (!r->nprofiles) {
        r->profiles[r->nprofiles++] = strdup("rfc5280");
        r->profiles[r->nprofiles++] = strdup("webpki");
    }
    if (!(r->cases = calloc(FUZZ_MAX_CASES, sizeof(*r->cases))))
        return -1;
    r->cases[r->ncases++].id = strdup("controls/accept");
    for (const char *at = text; nl && at < text + size && r->ncases < FUZZ_MAX_CASES;) {
        const char *end = memchr(at, '\n', (size_t)(text + size - at));
        if (!end)
            break;
        cJSON *o = cJSON_ParseWithLength(at, (size_t)(end - at));
        const char *cid = text_of(o, "id", NULL);
        if (cid)
            r->cases[r->ncases++].id = strdup(cid);
        cJSON_Delete(o);
        at = end + 1;
    }
    rc = 0;
    for (int i = 0; i < r->ncases; i++)
        rc = r->cases[i].id ? rc : -1;
    for (int k = 0; k < r->nprofiles; k++)
        rc = r->profiles[k] ? rc : -1;
    return r->suite_id && r->stack && r->mode && id->program && id->filter ? rc : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cp_results r;
    struct cp_journal_id id = {0};
    char shard[64];
    int resumed = 0;
    size_t keep = 0;
    bool torn = false;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    cp_results_init(&r);
    if (make_run(text, size, &r, &id, shard, sizeof(shard)) == 0) {
        (void)cp_journal_read("fuzz/r.journal.jsonl", text, size, &r, &id, &resumed, &keep, &torn);
        if (keep > size)
            abort(); /* the reader may keep no more than it was given */
    }
    free((void *)id.program);
    free((void *)id.filter);
    cp_results_free(&r);
    free(text);
    return 0;
}
