"""The report's stylesheet, kept inline so the report stays one file: readable type on
screen, and pages that print cleanly (no navigation, nothing split across a page break)."""
from __future__ import annotations

STYLE = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9dee4;--soft:#f5f7fa;--accent:#2f5d8a;
--good:#2f7d4f;--bad:#b83232;--unsure:#a8710f}
*{box-sizing:border-box}
html{background:#fff}
body{margin:0;color:var(--ink);font:15px/1.55 "Source Sans 3","Segoe UI",system-ui,-apple-system,sans-serif;
-webkit-font-smoothing:antialiased}
main{max-width:1040px;margin:0 auto;padding:2.2rem 1.6rem 4rem}
header{border-bottom:3px solid var(--ink);padding-bottom:1rem;margin-bottom:1.5rem}
.kicker{text-transform:uppercase;letter-spacing:.12em;font-size:.78rem;color:var(--muted);margin:0}
h1{font-size:2.1rem;line-height:1.15;margin:.2rem 0 .4rem;font-weight:700}
h2{font-size:1.45rem;margin:2.6rem 0 .8rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.08rem;margin:1.6rem 0 .5rem}
p{margin:.4rem 0}
a{color:var(--accent)}
.meta,.muted{color:var(--muted)}
.lead{color:var(--muted);margin-bottom:1rem}
nav{margin-top:.8rem;display:flex;flex-wrap:wrap;gap:.3rem 1.1rem;font-size:.9rem}
nav a{text-decoration:none;font-weight:600}
ul,ol{padding-left:1.3rem}
li{margin:.25rem 0}
.verdicts{list-style:none;padding:0}
.verdicts li{display:grid;grid-template-columns:11rem 1fr;gap:.2rem 1rem;align-items:start;padding:.6rem .9rem;
border:1px solid var(--line);border-radius:6px;margin:.45rem 0;background:#fff}
.verdict strong{display:block;font-size:1.02rem;overflow-wrap:anywhere}
.note{color:var(--muted);font-size:.85rem}
.badge{display:inline-block;font-size:.74rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;
padding:.08rem .5rem;border-radius:99px;color:#fff;vertical-align:1px}
.badge.good{background:var(--good)}.badge.bad{background:var(--bad)}.badge.unsure{background:var(--unsure)}
.badge.none{background:var(--muted)}
.p{white-space:nowrap}
.est{font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap}
.ci{color:var(--muted);font-size:.84em;font-variant-numeric:tabular-nums;white-space:nowrap}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:.8rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;background:var(--soft)}
.card p{margin:.15rem 0}
.card .label{font-size:.78rem;text-transform:uppercase;letter-spacing:.08em;color:var(--muted)}
.card .big{font-size:2rem;font-weight:700;line-height:1.1}
.grade{font-size:1rem;background:var(--ink);color:#fff;border-radius:4px;padding:.05rem .4rem;vertical-align:6px}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem;font-size:.92rem}
th,td{text-align:left;vertical-align:top;padding:.42rem .6rem;border-bottom:1px solid var(--line)}
th{font-size:.8em;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);border-bottom:2px solid var(--ink)}
tbody tr:nth-child(even){background:#fafbfc}
table.compact{font-size:.82rem}
table.compact td,table.compact th{padding:.28rem .45rem}
td .ci{display:block;white-space:normal}
table.compact th{text-transform:none;letter-spacing:0;font-size:.95em}
@media screen and (min-width:1000px){table.compact td{white-space:nowrap}}
img{max-width:100%;height:auto}
img.chart{display:block;margin:.6rem 0;max-width:760px;width:100%}
.issue{display:flex;gap:1.2rem;align-items:flex-start;border:1px solid var(--line);border-left:5px solid var(--bad);
border-radius:6px;padding:.9rem 1rem;margin:.9rem 0;background:#fff}
.issue-text{flex:1;min-width:0}
.issue h3{margin:.1rem 0 .3rem}
.warn{color:var(--bad)}
.issue .kind{font-size:.78rem;text-transform:uppercase;letter-spacing:.08em;color:var(--bad);font-weight:700;margin:0}
.issue .reach{color:var(--muted);margin:0 0 .3rem}
.issue ul{margin:.3rem 0;font-size:.9rem}
figure.thumb{width:300px;flex:none;margin:0}
figure.thumb img{width:100%;border:1px solid var(--line);border-radius:4px}
.tag{font-family:ui-monospace,Menlo,Consolas,monospace;background:#e8eef6;color:var(--accent);border-radius:4px;
padding:.05rem .4rem;font-size:.9rem}
ul.notes{list-style:none;padding:0}
ul.notes li{margin:.5rem 0 .9rem}
blockquote{margin:0;padding:.2rem .9rem;border-left:3px solid var(--accent);font-style:italic}
ul.notes p{margin:.15rem 0 0 .9rem;font-size:.85rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem}
figure{margin:0}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.25rem}
img.heat{border:1px solid var(--line);border-radius:4px;width:100%}
.outcome{font-weight:600}.outcome.success{color:var(--good)}
.outcome.failure,.outcome.gave_up,.outcome.timed_out,.outcome.abandoned{color:var(--bad)}
.measures li{margin:.45rem 0}
@page{size:A4;margin:16mm 14mm}
@media print{
 body{font-size:10.5pt}
 table{font-size:9pt}
 table.compact{font-size:8pt}
 table.compact td,table.compact th{padding:.2rem .3rem}
 main{max-width:none;padding:0}
 nav{display:none}
 #attempts{overflow:visible}
 a{color:inherit;text-decoration:none}
 h2{break-after:avoid;page-break-after:avoid}
 h3{break-after:avoid;page-break-after:avoid}
 section#method,section#results,section#issues,section#heatmaps,section#attempts{break-before:page;page-break-before:always}
 .issue,figure,img.chart,.card,.verdicts li,tr{break-inside:avoid;page-break-inside:avoid}
 .issue{border-left-width:4px}
 figure.thumb{width:240px}
 tbody tr:nth-child(even){background:none}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
#attempts{overflow-x:auto}
@media screen and (max-width:700px){.issue{flex-direction:column}figure.thumb{width:100%}.verdicts li{grid-template-columns:1fr}}
"""
