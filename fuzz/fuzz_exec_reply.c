/*
 * fuzz_exec_reply.c - libFuzzer target: the exec module's reply parser (exec_reply() in
 * adapters/exec.c), which maps one line a verifier program wrote onto a case's result. The
 * module is compiled into the target whole, so that the parser fuzzed is the one it runs
 * (it is static there: the module exports only its entry point).
 */
#include "../adapters/exec.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cp_verify_result out;
    /* A reply is one line: the module cuts it at the newline and NUL-terminates it. */
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    memset(&out, 0, sizeof(out));
    (void)exec_reply(line, "controls/accept", &out);
    free(line);
    return 0;
}
