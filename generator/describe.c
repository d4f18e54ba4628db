/* describe.c - how a certificate differs from its role's default profile, in words. */
#include "cp_generator_internal.h"

#include <arpa/inet.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int add(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add(char *out, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(out);
    if (len + 3 >= cap)
        return 1;
    if (len)
        memcpy(out + len, ", ", 3), len += 2;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + len, cap - len, fmt, ap);
    va_end(ap);
    return 1;
}

static void eku_text(unsigned eku, char *buf, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{CP_EKU_SERVER_AUTH, "serverAuth"},
                 {CP_EKU_CLIENT_AUTH, "clientAuth"},
                 {CP_EKU_EMAIL, "emailProtection"},
                 {CP_EKU_CODE_SIGNING, "codeSigning"},
                 {CP_EKU_ANY, "anyExtendedKeyUsage"}};
    buf[0] = '\0';
    for (size_t i = 0; i < CP_ARRAY_LEN(names); i++) {
        if (eku & names[i].bit)
            snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? "+" : "",
                     names[i].name);
    }
}

/* The model's other subtrees: "permit IP 127.0.0.0/24" (an address and its prefix length). */
static void gn_text(const struct cp_gname *e, int n, const char *what, char *buf, size_t cap)
{
    for (int i = 0; i < n; i++) {
        size_t k = strlen(buf);
        if (e[i].type == CP_GN_IP) {
            char addr[INET6_ADDRSTRLEN];
            int len = e[i].len / 2, bits = 0;
            for (int j = 0; j < len; j++)
                bits += __builtin_popcount((unsigned char)e[i].value[len + j]);
            if (!inet_ntop(len == 4 ? AF_INET : AF_INET6, e[i].value, addr, sizeof(addr)))
                snprintf(addr, sizeof(addr), "?");
            snprintf(buf + k, cap - k, "%s IP %s/%d", what, addr, bits);
        } else if (e[i].type == CP_GN_RAW) {
            snprintf(buf + k, cap - k, "%s an undecodable entry (identifier 0x%02x, %d bytes)",
                     what, e[i].tag, e[i].len);
        } else {
            snprintf(buf + k, cap - k, "%s %s %s", what,
                     e[i].type == CP_GN_DNS     ? "DNS"
                     : e[i].type == CP_GN_EMAIL ? "email"
                     : e[i].type == CP_GN_URI   ? "URI"
                                                : "DN",
                     e[i].value);
        }
    }
}

static void nc_text(const struct cp_cert *c, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; i < c->npermitted; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), " permit %s", c->nc_permitted[i]);
    for (int i = 0; i < c->nexcluded; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), " exclude %s", c->nc_excluded[i]);
    gn_text(c->gn.permitted, c->gn.npermitted, " permit", buf, cap);
    gn_text(c->gn.excluded, c->gn.nexcluded, " exclude", buf, cap);
}

static int validity(const struct cp_cert *c, char *out, size_t cap)
{
    int n = 0;
    if (c->not_after < 0)
        n += add(out, cap, "expired %" PRId64 " h ago", -c->not_after / CP_HOUR);
    else if (c->not_before > 0)
        n += add(out, cap, "valid only from %" PRId64 " h ahead", c->not_before / CP_HOUR);
    else if (c->not_before != -CP_DAY || c->not_after != 366 * CP_DAY)
        n += add(out, cap, "validity %+" PRId64 " h..%+" PRId64 " h", c->not_before / CP_HOUR,
                 c->not_after / CP_HOUR);
    return n;
}

static int extensions(const struct cp_graph *g, const struct cp_cert *c, char *out, size_t cap)
{
    int n = 0;
    char buf[160];
    unsigned ku_default = c->is_leaf ? CP_KU_DIGITAL_SIGNATURE : CP_KU_KEY_CERT_SIGN;
    enum cp_bc bc_default = c->is_leaf ? CP_BC_NOT_CA : CP_BC_CA;
    if (c->bc != bc_default)
        n += add(out, cap, "%s",
                 c->bc == CP_BC_ABSENT ? "no basicConstraints"
                 : c->bc == CP_BC_CA   ? "basicConstraints cA=TRUE"
                                       : "basicConstraints cA=FALSE");
    if (c->path_len >= 0)
        n += add(out, cap, "pathLen %d", c->path_len);
    if (c->key_usage != ku_default)
        n += add(out, cap, c->key_usage ? "keyUsage 0x%02x" : "no keyUsage", c->key_usage);
    if (c->eku != (c->is_leaf ? CP_EKU_SERVER_AUTH : 0u)) {
        eku_text(c->eku, buf, sizeof(buf));
        n += add(out, cap, "EKU %s", c->eku ? buf : "absent");
    }
    if (c->npermitted || c->nexcluded || c->gn.npermitted || c->gn.nexcluded ||
        c->gn.nc_form != CP_NC_DER) {
        static const char *const forms[] = {[CP_NC_DER] = "",
                                            [CP_NC_EMPTY] = " (an empty SEQUENCE)",
                                            [CP_NC_EMPTY_PERMITTED] =
                                                " (an empty permittedSubtrees)",
                                            [CP_NC_MINIMUM] = " (each subtree with minimum 1)",
                                            [CP_NC_MAXIMUM] = " (each subtree with maximum 2)"};
        nc_text(c, buf, sizeof(buf));
        n += add(out, cap, "%snameConstraints%s%s", c->nc_noncritical ? "non-critical " : "", buf,
                 (unsigned)c->gn.nc_form <= CP_NC_FORM_LAST ? forms[c->gn.nc_form] : "");
    }
    if (c->aki != CP_KID_PRESENT || c->ski != CP_KID_PRESENT) {
        const char *who = c->kid_entity >= 0 ? g->entities[c->kid_entity].label : "?";
        if (c->aki == CP_KID_ABSENT)
            n += add(out, cap, "no AKI");
        if (c->aki == CP_KID_MISLEADING)
            n += add(out, cap, "AKI of %s", who);
        if (c->ski == CP_KID_ABSENT)
            n += add(out, cap, "no SKI");
        if (c->ski == CP_KID_MISLEADING)
            n += add(out, cap, "SKI of %s", who);
    }
    if (c->unknown_critical_ext)
        n += add(out, cap, "unknown critical extension");
    return n;
}

int cp_cert_describe_defects(const struct cp_graph *g, const struct cp_cert *c, char *out,
                             size_t cap)
{
    int n = 0;
    out[0] = '\0';
    n += validity(c, out, cap);
    if (c->version != 3)
        n += add(out, cap, "v%d", c->version);
    else
        n += extensions(g, c, out, cap);
    if (c->sig_alg == CP_SIG_SHA1)
        n += add(out, cap, "SHA-1 signature");
    if (c->sig_alg == CP_SIG_UNKNOWN)
        n += add(out, cap, "unknown signature algorithm");
    if (c->sig_corrupt)
        n += add(out, cap, "corrupted signature");
    if (g->entities[c->subject].alg == CP_KEY_RSA_2048)
        n += add(out, cap, "RSA key");
    return n;
}
