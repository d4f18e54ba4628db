/*
 * html.c - one self-contained HTML file: the matrix, filters, and a panel per case with its
 * graph, the certificates sent, the expectations, each stack's outcome and the commands that
 * reproduce it. Nothing is loaded from anywhere: styles and the small script are inline, the
 * graphs inline SVG, so the file works offline and as a CI artifact.
 *
 * Each case is a <details> element: its <summary> is the row (id, expected, one verdict per
 * stack), its body the panel, so the page works without the script too; the script fills the
 * filter lists from the cases' data attributes and hides the rows that do not match.
 */
#include "cp_common.h"
#include "cp_report_internal.h"

#include <stdlib.h>
#include <string.h>

/* Lists inside a panel stop here: a pathological graph has hundreds of ruled-out chains. */
#define HTML_MAX_PATHS 4
#define HTML_MAX_REJECTED 6

struct page {
    const struct cp_results *r;
    int n;
    const int *prof;
    const char *profile;
    const struct cp_rep_suite *suite; /* NULL: no graphs */
    FILE *out;
};

static const char css[] =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--pass:#1a7f37;"
    "--wa:#cf222e;--wr:#bc4c00;--skip:#6e7781;--err:#8250df;--link:#0969da}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
    "sans-serif;color:var(--fg);background:#fff}\n"
    "main{max-width:1480px;margin:0 auto;padding:22px 28px 64px}\n"
    "h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:30px 0 10px;padding-bottom:6px;"
    "border-bottom:1px solid var(--line)}h4{font-size:13px;margin:14px 0 6px;color:var(--muted);"
    "text-transform:uppercase;letter-spacing:.04em}\n"
    ".meta{color:var(--muted);margin:0 0 8px}.note{color:var(--muted);font-size:13px}\n"
    ".warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px}\n"
    "code,pre,.cid{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "font-size:12.5px}\n"
    "table{border-collapse:collapse}\n"
    ".scroll{overflow-x:auto}.matrix{width:100%;font-size:12.5px}\n"
    ".matrix th,.matrix td{border:1px solid var(--line);padding:4px 5px;text-align:center;"
    "white-space:nowrap}\n"
    ".matrix thead th{background:var(--soft);font-weight:600;vertical-align:bottom;"
    "white-space:normal;min-width:58px}\n"
    ".matrix .l{text-align:left}.matrix .lib{color:var(--muted);white-space:normal;"
    "min-width:100px;max-width:170px}\n"
    ".matrix td[data-stack]{cursor:pointer}.matrix td[data-stack]:hover{outline:2px solid "
    "var(--link);outline-offset:-2px}\n"
    ".sup-yes{background:#dafbe1}.sup-partial{background:#fff8c5}.sup-no{background:#ffebe9}"
    ".sup-none{color:#aab}\n"
    ".num{font-variant-numeric:tabular-nums}.hot{color:var(--wa);font-weight:700}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:6px 18px;color:var(--muted);font-size:12.5px;"
    "margin:8px 0}\n"
    ".sw{display:inline-block;width:22px;height:0;border-top:2.5px solid;vertical-align:middle;"
    "margin-right:5px}\n"
    ".filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;padding:10px 12px;"
    "background:var(--soft);border:1px solid var(--line);border-radius:8px;position:sticky;top:0;"
    "z-index:2}\n"
    ".filters label{font-size:12.5px;font-weight:600;color:var(--muted)}\n"
    ".filters select,.filters input,.filters button{font:inherit;font-size:13px;padding:3px 6px;"
    "border:1px solid var(--line);border-radius:6px;background:#fff;margin-left:4px}\n"
    ".filters button{cursor:pointer}#f-count{margin-left:auto;color:var(--muted)}\n"
    ".row,.case>summary{display:grid;grid-template-columns:minmax(0,1fr) 64px "
    "repeat(var(--n),minmax(58px,76px));align-items:center;gap:0 4px;padding:4px 8px}\n"
    ".head{font-weight:600;color:var(--muted);font-size:12px;border-bottom:1px solid var(--line);"
    "margin-top:10px}\n"
    ".head span{text-align:center;overflow:hidden;text-overflow:ellipsis}"
    ".head span:first-child{text-align:left}\n"
    ".case{border-bottom:1px solid #eef1f4;scroll-margin-top:96px}.case[hidden]{display:none}\n"
    ".case>summary{cursor:pointer;list-style:none}"
    ".case>summary::-webkit-details-marker{display:none}\n"
    ".case>summary:hover{background:var(--soft)}.case[open]>summary{background:#ddf4ff}\n"
    ".cid{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
    ".x{font-size:12px;color:var(--muted);text-align:center}\n"
    ".v{font-size:12px;font-weight:600;text-align:center;border-radius:4px;padding:1px 0}\n"
    ".v.p{color:var(--pass)}.v.wa{background:var(--wa);color:#fff}.v.wr{background:#fff1e5;"
    "color:var(--wr)}.v.s{color:var(--skip)}.v.e{background:#fbefff;color:var(--err)}"
    ".v.n{color:#c0c6cc}\n"
    ".panel{padding:10px 16px 18px;background:#fbfcfd;border-top:1px solid var(--line)}\n"
    ".cols{display:flex;gap:28px;flex-wrap:wrap;align-items:flex-start}.cols>div{min-width:0}\n"
    ".chip{display:inline-block;background:#eef1f4;border-radius:10px;padding:0 8px;"
    "margin:0 4px 2px 0;font-size:12px}\n"
    "ol.sent{margin:0;padding-left:22px}ol.sent li{margin:2px 0}.def{color:var(--wa);"
    "font-size:12.5px}\n"
    ".panel table{font-size:13px;margin-top:2px}.panel th,.panel td{border-bottom:1px solid "
    "#eaeef2;padding:4px 10px 4px 0;text-align:left;vertical-align:top}"
    ".panel th{color:var(--muted);font-weight:600}\n"
    "pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px 10px;"
    "overflow-x:auto;margin:0}\n"
    "svg.graph{max-width:100%;height:auto;background:#fff;border:1px solid var(--line);"
    "border-radius:8px}\n"
    "svg.graph text{font:12px system-ui,sans-serif;text-anchor:middle;fill:#1f2328}\n"
    ".node rect{fill:#fff;stroke:#57606a;stroke-width:1.3}.node.leaf rect{fill:#ddf4ff;"
    "stroke:#0969da}.node.anchor rect{fill:#fff8c5;stroke:#9a6700;stroke-width:1.6}"
    ".node.bad rect{stroke:#cf222e;stroke-width:2.6}\n"
    ".node rect.ring{fill:none;stroke:#9a6700;stroke-width:1.2}\n"
    "path.e-unsent,path.e-sent,path.e-path,path.e-bad{fill:none}"
    "path.e-unsent{stroke:#9aa4b1;stroke-dasharray:5 4;stroke-width:1.3}"
    "path.e-sent{stroke:#3d4450;stroke-width:1.6}path.e-path{stroke:#1a7f37;stroke-width:2.4}"
    "path.e-bad{stroke:#cf222e;stroke-width:2.4}\n"
    "rect.b-unsent{fill:#9aa4b1}rect.b-sent{fill:#3d4450}rect.b-path{fill:#1a7f37}"
    "rect.b-bad{fill:#cf222e}svg.graph text.bt{fill:#fff;font-size:10.5px;font-weight:700}\n"
    ".edge:hover path{stroke-width:3.4}\n";

/* Filters, matrix clicks and #case links. ES5, no library. */
static const char script[] =
    "(function(){'use strict';\n"
    "var $=function(id){return document.getElementById(id);};\n"
    "var cases=[].slice.call(document.querySelectorAll('details.case'));\n"
    "var stacks=[].map.call(document.querySelectorAll('#matrix tbody tr'),"
    "function(tr){return tr.getAttribute('data-name');});\n"
    "function fill(id,values,labels){var s=$(id);values.forEach(function(v,i){"
    "var o=document.createElement('option');o.value=v;o.textContent=labels?labels[i]:v;"
    "s.appendChild(o);});}\n"
    "var fam={},feat={};cases.forEach(function(c){fam[c.getAttribute('data-family')]=1;"
    "c.getAttribute('data-features').split(' ').forEach(function(f){if(f)feat[f]=1;});});\n"
    "fill('f-family',Object.keys(fam).sort());fill('f-feature',Object.keys(feat).sort());\n"
    "fill('f-verdict',['fail','wa','wr','p','s','e','split'],['wrongly accepted or rejected',"
    "'wrongly accepted','wrongly rejected','pass','skip','error, hang or crash',"
    "'stacks disagree']);\n"
    "fill('f-stack',stacks.map(function(s,i){return String(i);}),stacks);\n"
    "function verdictOk(c,fv,fs){if(!fv)return true;var all=c.getAttribute('data-v').split(' ');"
    "if(fv==='split'){var seen={};all.forEach(function(x){if(x!=='n')seen[x]=1;});"
    "return Object.keys(seen).length>1;}\n"
    "var v=fs===''?all:[all[+fs]];return v.some(function(x){"
    "return fv==='fail'?(x==='wa'||x==='wr'):x===fv;});}\n"
    "function apply(){var ff=$('f-family').value,ft=$('f-feature').value,fv=$('f-verdict').value,"
    "fs=$('f-stack').value,q=$('f-text').value.trim().toLowerCase(),shown=0;\n"
    "cases.forEach(function(c){var ok=(!ff||c.getAttribute('data-family')===ff)&&"
    "(!ft||(' '+c.getAttribute('data-features')+' ').indexOf(' '+ft+' ')>=0)&&"
    "verdictOk(c,fv,fs)&&(!q||c.id.slice(5).toLowerCase().indexOf(q)>=0);"
    "c.hidden=!ok;if(ok)shown++;});\n"
    "$('f-count').textContent=shown+' of '+cases.length+' cases shown';}\n"
    "['f-family','f-feature','f-verdict','f-stack'].forEach(function(id){"
    "$(id).addEventListener('change',apply);});$('f-text').addEventListener('input',apply);\n"
    "$('f-reset').addEventListener('click',function(){['f-family','f-feature','f-verdict',"
    "'f-stack','f-text'].forEach(function(id){$(id).value='';});apply();});\n"
    "[].forEach.call(document.querySelectorAll('#matrix td[data-stack],#nc-matrix "
    "td[data-stack]'),function(td){"
    "td.addEventListener('click',function(){$('f-stack').value=td.getAttribute('data-stack');"
    "$('f-feature').value=td.getAttribute('data-feature')||'';"
    "$('f-verdict').value=td.getAttribute('data-verdict')||'';$('f-family').value='';"
    "$('f-text').value='';apply();$('cases').scrollIntoView();});});\n"
    "function openHash(){var id=decodeURIComponent(location.hash.slice(1));"
    "var c=id&&$('case-'+id);if(c&&c.tagName==='DETAILS'){c.hidden=false;c.open=true;"
    "c.scrollIntoView();}}\n"
    "window.addEventListener('hashchange',openHash);apply();openHash();\n"
    "document.documentElement.setAttribute('data-js','ready');})();\n";

static const char *verdict_code(enum cp_verdict v)
{
    switch (v) {
    case CP_V_PASS:
        return "p";
    case CP_V_WRONG_ACCEPT:
        return "wa";
    case CP_V_WRONG_REJECT:
        return "wr";
    case CP_V_SKIP:
        return "s";
    case CP_V_ERROR:
        return "e";
    default:
        return "n";
    }
}

static const char *verdict_text(const struct cp_result_case *c, enum cp_verdict v)
{
    switch (v) {
    case CP_V_PASS:
        return "\xe2\x9c\x93"; /* check mark */
    case CP_V_WRONG_ACCEPT:
        return "accepted";
    case CP_V_WRONG_REJECT:
        return "rejected";
    case CP_V_SKIP:
        return "skip";
    case CP_V_ERROR:
        return c->outcome == CP_OUT_TIMEOUT ? "hang"
               : c->outcome == CP_OUT_CRASH ? "crash"
                                            : "error";
    default:
        return "\xe2\x80\x94";
    }
}

static void put_matrix_cell(FILE *out, int s, const struct cp_rep_column *col,
                            const struct cp_rep_cell *c)
{
    fprintf(out, "<td class=\"%s num\" data-stack=\"%d\" data-feature=\"%s\" data-verdict=\"fail\"",
            cp_support_look(c->pass + c->fail ? c->support : CP_SUPPORT_NONE)->html_class, s,
            col->feature ? col->feature : "");
    fprintf(out, " title=\"%s: %s", col->title, cp_support_name(c->support));
    if (c->probe_pass + c->probe_fail)
        fprintf(out, " (probes %d/%d)", c->probe_pass, c->probe_pass + c->probe_fail);
    fprintf(out, "; %d pass, %d fail, %d skip, %d error\">", c->pass, c->fail, c->skip, c->error);
    if (c->pass + c->fail)
        fprintf(out, "%s%d/%d", cp_support_look(c->support)->html_symbol, c->pass,
                c->pass + c->fail);
    else
        fputs(c->skip ? "skip" : c->error ? "error" : "\xe2\x80\x94", out);
    fputs("</td>", out);
}

static void put_count(FILE *out, int s, const char *verdict, int count, bool hot)
{
    fprintf(out, "<td class=\"num%s\" data-stack=\"%d\" data-verdict=\"%s\">%d</td>",
            hot && count ? " hot" : "", s, verdict, count);
}

static void put_matrix(const struct page *pg)
{
    FILE *out = pg->out;
    char lib[256];
    fputs("<section id=\"matrix-section\"><h2>Matrix</h2><div class=\"scroll\">"
          "<table class=\"matrix\" id=\"matrix\">"
          "<thead><tr><th class=\"l\">Stack</th><th class=\"l\">Library</th><th>Mode</th>",
          out);
    for (int k = 0; k < CP_REP_NCOLS; k++)
        fprintf(out, "<th>%s</th>", cp_rep_columns[k].title);
    fputs("<th>Pass</th><th>Wrongly<br>accepted</th><th>Wrongly<br>rejected</th><th>Skip</th>"
          "<th>Error</th></tr></thead><tbody>\n",
          out);
    for (int s = 0; s < pg->n; s++) {
        const struct cp_results *r = &pg->r[s];
        struct cp_rep_row row;
        cp_rep_matrix_row(r, pg->prof[s], &row);
        fputs("<tr data-name=\"", out);
        cp_rep_put_xml(out, r->stack);
        fputs("\"><th class=\"l\">", out);
        cp_rep_put_xml(out, r->stack);
        if (r->broken)
            fputs(" <span class=\"hot\" title=\"a control failed: nothing here is a "
                  "finding\">BROKEN</span>",
                  out);
        else if (!r->complete)
            fputs(" <span class=\"note\">(incomplete)</span>", out);
        fputs("</th><td class=\"l lib\" title=\"", out);
        cp_rep_put_xml(out, cp_rep_library(r, lib, sizeof(lib)));
        fputs("\">", out);
        cp_rep_put_xml(out, cp_rep_library_short(r, lib, sizeof(lib)));
        fputs("</td><td>", out);
        cp_rep_put_xml(out, r->mode);
        fputs("</td>", out);
        for (int k = 0; k < CP_REP_NCOLS; k++)
            put_matrix_cell(out, s, &cp_rep_columns[k], &row.cell[k]);
        put_count(out, s, "p", row.pass, false);
        put_count(out, s, "wa", row.wrong_accept, true);
        put_count(out, s, "wr", row.wrong_reject, false);
        put_count(out, s, "s", row.skip, false);
        put_count(out, s, "e", row.error, false);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></div><p class=\"note\">\xe2\x9c\x93 supported \xc2\xb7 \xe2\x97\x90 "
          "partial "
          "\xc2\xb7 \xe2\x9c\x97 not supported: BetterTLS's call, from the feature's probe cases. "
          "<i>n/m</i>: of the cases that need the feature and were scored, how many pass. "
          "<i>Other errors</i>: cases that need a feature outside these columns. "
          "<i>Error</i>: error, timeout (hang) or crash. Click a cell to list its cases.</p>"
          "</section>\n",
          out);
}

/* The name-constraint columns (cp_rep_nc_columns), when a case carries a facet; a cell lists
 * its cases as the matrix's do. */
static void put_nc_matrix(const struct page *pg)
{
    FILE *out = pg->out;
    struct cp_rep_nc nc;
    struct cp_rep_cell cells[CP_REP_NC_MAX];
    cp_rep_nc_columns(pg->r, pg->n, &nc);
    if (!nc.ncols)
        return;
    fputs("<section id=\"nc-section\"><h2>Name constraints</h2><div class=\"scroll\">"
          "<table class=\"matrix\" id=\"nc-matrix\"><thead><tr><th class=\"l\" "
          "rowspan=\"2\">Stack</th><th rowspan=\"2\">Mode</th>",
          out);
    fprintf(out, "<th colspan=\"%d\">GeneralName type</th>", nc.nforms);
    if (nc.ncols > nc.nforms)
        fprintf(out, "<th colspan=\"%d\">Placement</th>", nc.ncols - nc.nforms);
    fputs("</tr><tr>", out);
    for (int k = 0; k < nc.ncols; k++) {
        fputs("<th>", out);
        cp_rep_put_xml(out, nc.col[k].title);
        fputs("</th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    for (int s = 0; s < pg->n; s++) {
        cp_rep_nc_row(&pg->r[s], pg->prof[s], &nc, cells);
        fputs("<tr data-name=\"", out);
        cp_rep_put_xml(out, pg->r[s].stack);
        fputs("\"><th class=\"l\">", out);
        cp_rep_put_xml(out, pg->r[s].stack);
        fputs("</th><td>", out);
        cp_rep_put_xml(out, pg->r[s].mode);
        fputs("</td>", out);
        for (int k = 0; k < nc.ncols; k++)
            put_matrix_cell(out, s, &nc.col[k], &cells[k]);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></div><p class=\"note\"><i>n/m</i>: of the cases whose name "
          "constraints name that GeneralName type (or sit at that placement) and were scored, "
          "how many pass. Click a cell to list its cases.</p></section>\n",
          out);
}

static void put_filters(const struct page *pg)
{
    FILE *out = pg->out;
    fputs("<div class=\"filters\" id=\"filters\">"
          "<label>Family<select id=\"f-family\"><option value=\"\">all</option></select></label>"
          "<label>Feature<select id=\"f-feature\"><option value=\"\">all</option></select>"
          "</label><label>Verdict<select id=\"f-verdict\"><option value=\"\">any</option>"
          "</select></label><label>Stack<select id=\"f-stack\"><option value=\"\">any</option>"
          "</select></label><label>Case<input id=\"f-text\" type=\"search\" "
          "placeholder=\"id contains\xe2\x80\xa6\" size=\"22\"></label>"
          "<button id=\"f-reset\" type=\"button\">Reset</button><span id=\"f-count\"></span>"
          "</div>\n",
          out);
    fprintf(
        out,
        "<div class=\"legend\"><span><span class=\"sw\" style=\"border-color:#3d4450\">"
        "</span>certificate sent (numbered in sending order)</span><span><span class=\"sw\" "
        "style=\"border-color:#1a7f37\"></span>on a valid path</span><span><span class=\"sw\" "
        "style=\"border-color:#cf222e\"></span>at fault under %s</span><span><span "
        "class=\"sw\" style=\"border-color:#9aa4b1;border-top-style:dashed\"></span>not "
        "sent</span><span>yellow node: trust anchor \xc2\xb7 blue node: the leaf</span></div>\n",
        pg->profile);
    fputs("<div class=\"row head\"><span>case</span><span>expected</span>", out);
    for (int s = 0; s < pg->n; s++) {
        fputs("<span title=\"", out);
        cp_rep_put_xml(out, pg->r[s].stack);
        fputs("\">", out);
        cp_rep_put_xml(out, pg->r[s].stack);
        fputs("</span>", out);
    }
    fputs("</div>\n", out);
}

/* A path as the chain of entities it names: "EE \u2190 ICA \u2190 Root". */
static const struct cp_manifest_cert *cert_at(const struct page *pg, int i)
{
    return &pg->suite->man.certs[i];
}

static void put_path(const struct page *pg, const struct cp_manifest_path *path)
{
    for (int i = 0; i < path->n; i++) {
        const struct cp_manifest_cert *c = cert_at(pg, path->certs[i]);
        if (i == 0)
            cp_rep_put_xml(pg->out, c->subject);
        if (strcmp(c->issuer, c->subject) != 0 || i == 0) {
            fputs(" \xe2\x86\x90 ", pg->out);
            cp_rep_put_xml(pg->out, c->issuer);
        }
    }
}

static void put_expect_row(const struct page *pg, const char *profile,
                           const struct cp_manifest_expect *e)
{
    FILE *out = pg->out;
    int i;
    fputs("<tr><td>", out);
    cp_rep_put_xml(out, profile);
    fprintf(out, "%s</td><td>", strcmp(profile, pg->profile) == 0 ? " (shown)" : "");
    cp_rep_put_xml(out, e->accept ? "accept" : "reject");
    fputs("</td><td>", out);
    for (i = 0; i < e->npaths && i < HTML_MAX_PATHS; i++) {
        put_path(pg, &e->paths[i]);
        fputs("<br>", out);
    }
    if (e->paths_all > 0)
        fprintf(out, "<span class=\"note\">%lld valid path%s</span>", (long long)e->paths_all,
                e->paths_all == 1 ? "" : "s");
    else
        fputs("<span class=\"note\">none</span>", out);
    fputs("</td><td>", out);
    for (i = 0; i < e->nrejected && i < HTML_MAX_REJECTED; i++) {
        const struct cp_manifest_rejected *x = &e->rejected[i];
        put_path(pg, &x->path);
        fputs(": <b>", out);
        cp_rep_put_xml(out, pg->suite->man.reasons[x->reason]);
        fputs("</b> at ", out);
        cp_rep_put_xml(out, cert_at(pg, x->at)->label);
        fputs("<br>", out);
    }
    if (e->rejected_all > HTML_MAX_REJECTED)
        fprintf(out, "<span class=\"note\">%lld ruled out in all</span>",
                (long long)e->rejected_all);
    else if (i == 0)
        fputs("<span class=\"note\">none</span>", out);
    fputs("</td></tr>", out);
}

static void put_suite_facts(const struct page *pg, const struct cp_manifest_case *kase)
{
    FILE *out = pg->out;
    const struct cp_manifest *m = &pg->suite->man;
    fputs("<p>", out);
    cp_rep_put_xml(out, kase->description);
    fputs("</p><div class=\"cols\"><div>", out);
    cp_rep_draw_graph(out, pg->suite, kase,
                      cp_manifest_name_index(m->profiles, m->nprofiles, pg->profile));
    fputs("</div><div><h4>Sent, in order</h4><ol class=\"sent\">", out);
    for (int i = 0; i < kase->nsent; i++) {
        const struct cp_manifest_cert *c = cert_at(pg, kase->sent[i]);
        const char *defects = c->defects;
        fputs("<li>", out);
        cp_rep_put_xml(out, c->label);
        if (*defects) {
            fputs(" <span class=\"def\">", out);
            cp_rep_put_xml(out, defects);
            fputs("</span>", out);
        }
        fputs("</li>", out);
    }
    fputs("</ol><h4>Trusted</h4>", out);
    for (int i = 0; i < kase->nanchors; i++) {
        fputs("<span class=\"chip\">", out);
        cp_rep_put_xml(out, cert_at(pg, kase->anchors[i])->subject);
        fputs("</span>", out);
    }
    fputs("<h4>Hostname</h4><code>", out);
    cp_rep_put_xml(out, kase->hostname);
    fputs("</code></div></div><h4>Expected</h4><table><tr><th>profile</th><th>outcome</th>"
          "<th>valid paths</th><th>ruled out</th></tr>",
          out);
    for (int p = 0; p < m->nprofiles; p++)
        put_expect_row(pg, m->profiles[p], &kase->expect[p]);
    fputs("</table>", out);
}

static void put_stack_rows(const struct page *pg, const struct cp_rep_grid *grid, int row)
{
    FILE *out = pg->out;
    fprintf(out,
            "<h4>Stacks</h4><table><tr><th>stack</th><th>outcome</th>"
            "<th>verdict (%s)</th><th>reason</th><th>code</th><th>time</th></tr>",
            pg->profile);
    for (int s = 0; s < pg->n; s++) {
        int i = grid->at[(size_t)row * (size_t)pg->n + (size_t)s];
        const struct cp_result_case *c = i >= 0 ? &pg->r[s].cases[i] : NULL;
        fputs("<tr><td>", out);
        cp_rep_put_xml(out, pg->r[s].stack);
        if (!c) {
            fputs("</td><td colspan=\"5\" class=\"note\">not in this run</td></tr>", out);
            continue;
        }
        enum cp_verdict v = c->verdict[pg->prof[s]];
        fprintf(out, "</td><td>%s</td><td><span class=\"v %s\">%s</span></td><td>",
                cp_outcome_kind_name(c->outcome), verdict_code(v), cp_verdict_name(v));
        cp_rep_put_xml(out, c->reason);
        fprintf(out, "</td><td class=\"num\">%ld</td><td class=\"num\">%.1f ms</td></tr>", c->code,
                (double)c->usec / 1000.0);
    }
    fputs("</table>", out);
}

static void put_commands(const struct page *pg, const char *id, const struct cp_manifest_case *kase)
{
    FILE *out = pg->out;
    char q[1024], dir[1200];
    fputs("<h4>Reproduce</h4><pre>", out);
    if (kase) {
        const struct cp_manifest_cert *leaf = cert_at(pg, kase->leaf);
        const char *host = kase->hostname;
        bool ip = strchr(host, ':') || strspn(host, "0123456789.") == strlen(host);
        snprintf(dir, sizeof(dir), "%s/%s", pg->suite->dir, kase->dir);
        fputs("# openssl's own verifier on the case's files (serverAuth, as a TLS client)\n", out);
        fprintf(out, "openssl verify -attime %.0f -purpose sslserver %s ", pg->suite->vtime,
                ip ? "-verify_ip" : "-verify_hostname");
        cp_rep_put_xml(out, cp_rep_shell_quote(host, q, sizeof(q)));
        fputs(" \\\n  -CAfile ", out);
        snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/roots.pem");
        cp_rep_put_xml(out, cp_rep_shell_quote(dir, q, sizeof(q)));
        fputs(" \\\n  -untrusted ", out);
        snprintf(dir, sizeof(dir), "%s/%s/chain.pem", pg->suite->dir, kase->dir);
        cp_rep_put_xml(out, cp_rep_shell_quote(dir, q, sizeof(q)));
        fputs(" \\\n  ", out);
        snprintf(dir, sizeof(dir), "%s/%s", pg->suite->dir, leaf->file);
        cp_rep_put_xml(out, cp_rep_shell_quote(dir, q, sizeof(q)));
        fputs("\n", out);
    }
    fputs("# the case against each stack, through the harness\n", out);
    if (pg->n > 1) {
        fputs("for s in", out);
        for (int s = 0; s < pg->n; s++) {
            fputc(' ', out);
            cp_rep_put_xml(out, cp_rep_shell_quote(pg->r[s].stack, q, sizeof(q)));
        }
        fputs("; do\n  ", out);
    }
    fputs("certpath run --stack ", out);
    if (pg->n > 1)
        fputs("\"$s\"", out);
    else
        cp_rep_put_xml(out, cp_rep_shell_quote(pg->r[0].stack, q, sizeof(q)));
    if (pg->suite) {
        fputs(" --suite ", out);
        cp_rep_put_xml(out, cp_rep_shell_quote(pg->suite->dir, q, sizeof(q)));
    }
    fputs(" --no-regenerate --filter ", out);
    cp_rep_put_xml(out, cp_rep_shell_quote(id, q, sizeof(q)));
    fputs(pg->n > 1 ? " -o \"/tmp/$s.json\"\ndone\n" : " -o /tmp/one.json\n", out);
    fputs("</pre>", out);
}

static void put_case(const struct page *pg, const struct cp_rep_grid *grid, int row)
{
    FILE *out = pg->out;
    int first = 0;
    const struct cp_result_case *c = cp_rep_grid_case(grid, pg->r, row, &first);
    const struct cp_results *fr = &pg->r[first];
    const struct cp_manifest_case *kase = pg->suite ? cp_rep_suite_case(pg->suite, c->id) : NULL;
    bool accept = c->expect_accept[pg->prof[first]];
    fputs("<details class=\"case\" id=\"case-", out);
    cp_rep_put_xml(out, c->id);
    fputs("\" data-family=\"", out);
    cp_rep_put_xml(out, c->family);
    fputs("\" data-features=\"", out);
    for (int f = 0, sp = 0; f < fr->nfeatures; f++) {
        if (c->features & (UINT64_C(1) << f)) {
            fputs(sp++ ? " " : "", out);
            cp_rep_put_xml(out, fr->features[f]);
        }
    }
    fputs("\" data-v=\"", out);
    for (int s = 0; s < pg->n; s++) {
        int i = grid->at[(size_t)row * (size_t)pg->n + (size_t)s];
        fprintf(out, "%s%s", s ? " " : "",
                i >= 0 ? verdict_code(pg->r[s].cases[i].verdict[pg->prof[s]]) : "n");
    }
    fputs("\"><summary><span class=\"cid\">", out);
    cp_rep_put_xml(out, c->id);
    fprintf(out, "</span><span class=\"x\">%s</span>", accept ? "accept" : "reject");
    for (int s = 0; s < pg->n; s++) {
        int i = grid->at[(size_t)row * (size_t)pg->n + (size_t)s];
        const struct cp_result_case *sc = i >= 0 ? &pg->r[s].cases[i] : NULL;
        enum cp_verdict v = sc ? sc->verdict[pg->prof[s]] : CP_V_NONE;
        fprintf(out, "<span class=\"v %s\" title=\"", verdict_code(v));
        cp_rep_put_xml(out, pg->r[s].stack);
        fprintf(out, ": %s", sc ? cp_outcome_kind_name(sc->outcome) : "not run");
        if (sc && sc->reason && *sc->reason) {
            fputs(" \xe2\x80\x94 ", out);
            cp_rep_put_xml(out, sc->reason);
        }
        fprintf(out, "\">%s</span>", verdict_text(sc, v));
    }
    fputs("</summary><div class=\"panel\">", out);
    if (kase)
        put_suite_facts(pg, kase);
    else
        fprintf(out, "<p class=\"note\">Expected to %s under %s. %s</p>",
                accept ? "accept" : "reject", pg->profile,
                pg->suite ? "The suite's manifest has no such case."
                          : "No graph: the suite's manifest was not found (certpath report "
                            "--suite DIR).");
    fputs("<h4>Features</h4>", out);
    for (int f = 0; f < fr->nfeatures; f++) {
        if (c->features & (UINT64_C(1) << f)) {
            fputs("<span class=\"chip\">", out);
            cp_rep_put_xml(out, fr->features[f]);
            fputs("</span>", out);
        }
    }
    if (!c->features)
        fputs("<span class=\"note\">none (a control)</span>", out);
    put_stack_rows(pg, grid, row);
    put_commands(pg, c->id, kase);
    fputs("</div></details>\n", out);
}

/* Loads the manifest when it is the results' suite; otherwise says on the page why there are
 * no graphs. */
static const struct cp_rep_suite *load_suite(struct cp_rep_suite *s, const char *dir,
                                             const struct cp_results *r, FILE *out)
{
    int rc = dir ? cp_rep_suite_load(s, dir) : CP_E_NOTFOUND;
    if (rc) {
        fputs("<p class=\"warn\">No graphs: ", out);
        if (rc == CP_E_NOTFOUND) {
            fputs("no suite manifest at ", out);
            cp_rep_put_xml(out, dir ? dir : "(none)");
            fputs("/manifest.json; give the suite with <code>certpath report --suite "
                  "DIR</code>.</p>\n",
                  out);
        } else {
            cp_rep_put_xml(out, cp_error_msg(rc));
            fputs("</p>\n", out);
        }
        return NULL;
    }
    if (strcmp(s->suite_id, r->suite_id ? r->suite_id : "") != 0) {
        fputs("<p class=\"warn\">No graphs: the suite in ", out);
        cp_rep_put_xml(out, dir);
        fputs(" is ", out);
        cp_rep_put_xml(out, s->suite_id);
        fputs(", the results come from ", out);
        cp_rep_put_xml(out, r->suite_id);
        fputs(" (another seed, time or version).</p>\n", out);
        cp_rep_suite_free(s);
        return NULL;
    }
    return s;
}

int cp_report_write_html(const struct cp_results *r, int n, const char *profile,
                         const char *suite_dir, FILE *out)
{
    int rc = CP_E_NOMEM;
    int *prof = calloc((size_t)n + 1, sizeof(*prof));
    struct cp_rep_grid grid = {0};
    struct cp_rep_suite suite = {0};
    struct page pg = {r, n, prof, profile, NULL, out};
    if (!prof) {
        cp_error_set(rc, "out of memory writing HTML");
        goto out;
    }
    if ((rc = cp_rep_profiles(r, n, profile, prof)) ||
        (rc = cp_rep_grid_build(&grid, r, n, profile)))
        goto out;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
          "<title>certpath report: ",
          out);
    for (int s = 0; s < n; s++) {
        fputs(s ? ", " : "", out);
        cp_rep_put_xml(out, r[s].stack);
    }
    fprintf(out, "</title><style>%s</style></head><body><main>\n", css);
    cp_rep_graph_defs(out);
    fputs("<h1>certpath report</h1><p class=\"meta\">Profile <b>", out);
    cp_rep_put_xml(out, profile);
    fputs("</b> \xc2\xb7 suite <code>", out);
    cp_rep_put_xml(out, r[0].suite_id);
    fputs("</code> \xc2\xb7 validation time ", out);
    cp_rep_put_xml(out, r[0].validation_time);
    fprintf(out, " \xc2\xb7 %d cases \xc2\xb7 %d stack%s \xc2\xb7 certpath %s</p>\n", grid.nrows, n,
            n == 1 ? "" : "s", CP_VERSION);
    if (!cp_rep_same_suite(r, n))
        fputs("<p class=\"warn\">The runs come from different suites: rows are not comparable "
              "case by case.</p>\n",
              out);
    for (int s = 0; s < n; s++) {
        if (r[s].broken) {
            fputs("<p class=\"warn\"><b>", out);
            cp_rep_put_xml(out, r[s].stack);
            fputs(" is broken</b>: ", out);
            cp_rep_put_xml(out, r[s].broken_reason);
            fputs(". A control failed, so its results are no finding.</p>\n", out);
        }
    }
    put_matrix(&pg);
    put_nc_matrix(&pg);
    fprintf(out, "<section id=\"cases\" style=\"--n:%d\"><h2>Cases</h2>\n", n);
    pg.suite = load_suite(&suite, suite_dir, &r[0], out);
    put_filters(&pg);
    fputs("<div id=\"case-list\">\n", out);
    for (int row = 0; row < grid.nrows; row++)
        put_case(&pg, &grid, row);
    fprintf(out, "</div></section></main><script>%s</script></body></html>\n", script);
    rc = cp_rep_check_stream(out, "HTML");
out:
    cp_rep_suite_free(&suite);
    cp_rep_grid_free(&grid);
    free(prof);
    return rc;
}
