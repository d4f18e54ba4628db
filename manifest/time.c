/*
 * time.c - the manifest's validation time in RFC 3339 ("2026-11-29T05:00:00Z"), by the civil
 * calendar arithmetic rather than gmtime/timegm, which accept (and normalise) 2026-02-30.
 */
#include "cp_common.h"
#include "cp_manifest.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; y >= 1970 here). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t days = 0;
    for (int64_t yy = 1970; yy < y; yy++)
        days += leap(yy) ? 366 : 365;
    for (int mm = 1; mm < m; mm++)
        days += month_days(y, mm);
    return days + d - 1;
}

void cp_manifest_time_format(int64_t t, char *buf, size_t cap)
{
    if (t < CP_MANIFEST_TIME_MIN || t > CP_MANIFEST_TIME_MAX) {
        snprintf(buf, cap, "@%" PRId64, t);
        return;
    }
    int64_t days = t / 86400, secs = t % 86400, y = 1970;
    int m = 1;
    while (days >= (leap(y) ? 366 : 365))
        days -= leap(y) ? 366 : 365, y++;
    while (days >= month_days(y, m))
        days -= month_days(y, m), m++;
    snprintf(buf, cap, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, (int)days + 1,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* n decimal digits at s; -1 when any is not a digit. */
static int64_t digits(const char *s, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cp_manifest_time_parse(const char *s, int64_t *out)
{
    /* YYYY-MM-DDTHH:MM:SSZ: exactly 20 characters. */
    if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return CP_E_FORMAT;
    int64_t y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
            mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, (int)mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || se < 0 || se > 59)
        return CP_E_FORMAT;
    *out = days_from_civil(y, (int)mo, (int)d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}
