/**
 * The report's stylesheet, inlined (the page loads nothing). Long connector text must
 * never widen the page: every text container wraps anywhere and `pre` blocks scroll
 * inside a bounded height.
 */
export const REPORT_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2430;--muted:#667085;--line:#e4e7ec;--pass:#12805c;--pass-bg:#e7f6ef;--fail:#c0362c;--fail-bg:#fdecea;--skip:#8a6d00;--skip-bg:#fff6d6;--accent:#2f5bd3;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
html,body{margin:0;padding:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
body{overflow-x:hidden}
main{max-width:1180px;margin:0 auto;padding:20px 20px 60px}
h1,h2,h3{line-height:1.2;margin:0}
h1{font-size:20px}
h2{font-size:16px;margin:0 0 12px}
h3{font-size:14px}
p{margin:0 0 8px}
code,pre,.mono{font-family:var(--mono);font-size:12.5px}
a{color:var(--accent)}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 16px;min-width:0}
.muted{color:var(--muted);fill:var(--muted)}
.wrap,td,th,summary,li,p,h1,h2,h3,dd,dt{overflow-wrap:anywhere;word-break:break-word}
pre{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-all;max-height:320px;overflow:auto;background:#f2f4f7;border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:4px 0 8px}
header.top{display:grid;grid-template-columns:auto 1fr auto;gap:20px;align-items:center}
.ring{width:96px;height:96px}
.ring .bg{fill:none;stroke:var(--line);stroke-width:10}
.ring .fg{fill:none;stroke-width:10;stroke-linecap:round;transform:rotate(-90deg);transform-origin:50% 50%}
.ring text{font:700 22px system-ui,sans-serif;fill:var(--ink)}
.ring.v-certified .fg{stroke:var(--pass)}.ring.v-conditional .fg{stroke:#d08b00}.ring.v-rejected .fg{stroke:var(--fail)}
.verdict{display:inline-block;font-weight:700;letter-spacing:.04em;text-transform:uppercase;padding:4px 12px;border-radius:999px;font-size:15px}
.verdict.v-certified{background:var(--pass-bg);color:var(--pass)}.verdict.v-conditional{background:var(--skip-bg);color:var(--skip)}.verdict.v-rejected{background:var(--fail-bg);color:var(--fail)}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:6px 18px;margin:10px 0 0}
dl.facts dt{color:var(--muted);font-size:12px}
dl.facts dd{margin:0;font-weight:600}
.banner{background:var(--skip-bg);color:#6b5400;border:1px solid #f1d77a;border-radius:8px;padding:8px 12px;margin:0 0 16px}
ul.reasons{margin:8px 0 0;padding-left:18px}
.replay{display:flex;gap:8px;align-items:flex-start;margin:6px 0}
.replay code{flex:1;min-width:0;background:#101828;color:#e6edf7;border-radius:6px;padding:7px 10px;overflow-wrap:anywhere;word-break:break-all;white-space:pre-wrap}
button{font:inherit;cursor:pointer;border:1px solid var(--line);background:#fff;border-radius:6px;padding:5px 10px;color:var(--ink)}
button:hover{border-color:#b9c0cc}
button.copy{font-size:12px;white-space:nowrap}
button.copy.done{color:var(--pass);border-color:var(--pass)}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
@media (max-width:900px){.grid2{grid-template-columns:minmax(0,1fr)}header.top{grid-template-columns:auto 1fr}}
svg.plot{width:100%;height:auto;display:block}
svg .axis,svg .lane{stroke:#c4cad4;stroke-width:1}
svg .bar{fill:#7c9be8}
svg .tick{font:11px system-ui,sans-serif;fill:var(--muted)}
svg text.muted{font:11px system-ui,sans-serif}
svg .marker{stroke-width:1.5;stroke-dasharray:4 3}
svg .m50{stroke:#12805c;fill:#12805c}svg .m95{stroke:#d08b00;fill:#b07500}svg .m99{stroke:#c0362c;fill:#c0362c}svg .sla{stroke:#101828;fill:#101828}
svg .dot{stroke:#fff;stroke-width:.8}
svg .st-2xx{fill:#12a16b}svg .st-4xx{fill:#e0a100}svg .st-err{fill:#d43d33}svg .st-none{fill:#98a2b3}
svg .track{fill:#eef0f3}
svg .fill.good{fill:#12a16b}svg .fill.mid{fill:#e0a100}svg .fill.bad{fill:#d43d33}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin-top:4px}
.legend i{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px;vertical-align:-1px}
.toolbar{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin:0 0 12px}
.toolbar .seg{display:inline-flex;border:1px solid var(--line);border-radius:8px;overflow:hidden}
.toolbar .seg button{border:0;border-radius:0;border-right:1px solid var(--line)}
.toolbar .seg button:last-child{border-right:0}
.toolbar .seg button[aria-pressed=true]{background:#101828;color:#fff}
.toolbar input[type=search]{flex:1;min-width:180px;font:inherit;padding:5px 10px;border:1px solid var(--line);border-radius:6px}
.toolbar .count{color:var(--muted);font-size:12px}
section.clause{margin:0 0 14px}
section.clause>h3{display:flex;gap:10px;align-items:baseline;padding:6px 0;border-bottom:1px solid var(--line);margin-bottom:4px}
section.clause>h3 .counts{margin-left:auto;font-weight:400;font-size:12px;color:var(--muted)}
details.ctl{border-bottom:1px solid #f0f2f5}
details.ctl>summary{list-style:none;display:grid;grid-template-columns:58px 70px minmax(0,260px) minmax(0,1fr) 52px;gap:10px;align-items:center;padding:6px 4px;cursor:pointer;border-radius:6px}
details.ctl>summary::-webkit-details-marker{display:none}
details.ctl>summary:hover{background:#f5f7fa}
details.ctl>summary .id{font-family:var(--mono);font-size:12.5px}
details.ctl>summary .w{color:var(--muted);font-size:12px;text-align:right}
details.ctl[open]>summary{background:#f5f7fa}
.pill{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.03em;padding:2px 7px;border-radius:999px;text-align:center}
.s-pass{background:var(--pass-bg);color:var(--pass)}.s-fail{background:var(--fail-bg);color:var(--fail)}.s-skip{background:var(--skip-bg);color:var(--skip)}
.sev{font-size:11px;font-weight:600;padding:2px 6px;border-radius:4px;text-align:center}
.sev-critical{background:#5c1a14;color:#fff}.sev-high{background:#fdecea;color:#a02a20}.sev-medium{background:#fff2db;color:#8a5a00}.sev-low{background:#eef2f6;color:#475467}
.drill{padding:6px 10px 14px 72px}
.drill h4{margin:10px 0 4px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.drill ul{margin:0;padding-left:18px}
.drill .rationale{color:var(--muted);font-style:italic}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #f0f2f5;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line)}
table.kv td:first-child{width:30%;font-family:var(--mono);font-size:12px;color:var(--muted)}
table.kv td{font-family:var(--mono);font-size:12px}
.dur{display:flex;align-items:center;gap:6px}
.dur span.b{display:inline-block;height:6px;border-radius:3px;background:#7c9be8;min-width:1px}
.empty{color:var(--muted);padding:10px 0}
.hidden{display:none!important}
.note{font-size:12px;color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
@media print{button,.toolbar{display:none}details.ctl{break-inside:avoid}body{background:#fff}}
`;
