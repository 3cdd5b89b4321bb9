"""The HTML report's stylesheet and script, inlined into every report (no network: the page
loads nothing). The Content-Security-Policy allows exactly these two, by hash.

The script reads the results from the page's JSON block and builds each row with DOM APIs and
`textContent` only: cloud text is never parsed as HTML. Rows are added in slices of a few
milliseconds, so a report of ten thousand results is usable at once and never freezes.
"""

from __future__ import annotations

CSS = """
:root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;--link:#0550ae;
--critical:#a40e26;--high:#bc4c00;--medium:#7d4e00;--low:#0550ae;--info:#57606a;
--fail:#a40e26;--pass:#116329;--unknown:#7d4e00;--focus:#0969da;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;
--line:#30363d;--panel:#161b22;--link:#4493f8;--critical:#ff7b72;--high:#ffa657;
--medium:#d29922;--low:#79c0ff;--info:#9198a1;--fail:#ff7b72;--pass:#3fb950;
--unknown:#d29922;--focus:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:80rem;margin:0 auto;padding:0 1rem}
a{color:var(--link)}
:focus-visible{outline:2px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg)}
h1{margin:1rem 0 .25rem}h2{border-bottom:1px solid var(--line);padding-bottom:.25rem}
.verdict{font-weight:600;font-size:1.1rem}
code,.cmd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
dl.scan{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.scan dt{color:var(--muted)}dl.scan dd{margin:0;overflow-wrap:anywhere}
.tables{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
table{border-collapse:collapse}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--panel)}
td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0}
#filters{display:flex;flex-wrap:wrap;gap:.75rem 1.5rem;align-items:flex-end;
background:var(--panel);border:1px solid var(--line);padding:.75rem;border-radius:6px}
#filters fieldset{border:0;margin:0;padding:0}
#filters legend{font-weight:600;padding:0}
#filters label{margin-right:.6rem;white-space:nowrap}
#filters .field label{display:block;font-weight:600}
input,select,button{font:inherit;color:inherit;background:var(--bg);
border:1px solid var(--line);border-radius:4px}
input[type=search]{min-width:16rem;padding:.15rem .4rem}
#shown{color:var(--muted)}
.area h3{margin:1.5rem 0 .5rem}
section.changes table{width:100%}
section.changes caption{position:absolute;width:1px;height:1px;overflow:hidden;
clip-path:inset(50%)}
table.results{width:100%;table-layout:fixed}
table.results col.sev{width:6.5rem}table.results col.st{width:7.5rem}
table.results col.chk{width:14rem}table.results col.prj{width:10rem}
.res{content-visibility:auto;contain-intrinsic-size:auto 160px}
table.results caption{background:var(--panel);border:1px solid var(--line);border-bottom:0;
padding:.25rem .5rem;overflow-wrap:anywhere}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
td{overflow-wrap:anywhere}
.sev,.status{font-weight:600}
.sev-critical{color:var(--critical)}.sev-high{color:var(--high)}
.sev-medium{color:var(--medium)}.sev-low{color:var(--low)}.sev-info{color:var(--info)}
.st-fail{color:var(--fail)}.st-pass{color:var(--pass)}.st-unknown{color:var(--unknown)}
.st-suppressed,.st-baseline,.st-not_applicable{color:var(--muted)}
.subject,.note{color:var(--muted)}
.fix{display:flex;gap:.5rem;align-items:flex-start;margin-top:.25rem}
.fix pre{margin:0;flex:1;white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);
padding:.25rem .5rem;border-radius:4px}
button.copy{cursor:pointer;padding:.1rem .5rem}
article.check{border-top:1px solid var(--line);padding:.25rem 0 .75rem}
article.check h4{font-size:.95rem;margin:.75rem 0 .25rem}
article.check:target{background:var(--panel)}
.meta{color:var(--muted)}
@media print{.res{content-visibility:visible}
#filters,.skip,button.copy,noscript{display:none}
body{font-size:10pt;background:#fff;color:#000}
header,main,footer{max-width:none;padding:0}
a{color:inherit;text-decoration:none}
tr,article.check{break-inside:avoid}thead{display:table-header-group}
h2,h3{break-after:avoid}#checks{break-before:page}}
"""

JS = """
(function(){
"use strict";
var data=JSON.parse(document.getElementById("gcplint-data").textContent);
var SEV=data.severities,CHECKS=data.checks,PROJ=data.projects;
var STATUS=data.statuses,GROUPS=data.groups;
var rows=data.results.map(function(r,i){
  var c=CHECKS[r[0]];
  return {i:i,check:c[0],title:c[1],area:c[2],groups:c[3],sev:r[1],status:r[2],project:PROJ[r[3]],resource:r[4],
    subject:r[5],message:r[6],fix:r[7],note:r[8],
    hay:(c[0]+"\\n"+PROJ[r[3]]+"\\n"+r[4]+"\\n"+(r[5]||"")+"\\n"+r[6]+"\\n"+(r[7]||"")+"\\n"+
      (r[8]||"")).toLowerCase()};
});
var form=document.getElementById("filters"),out=document.getElementById("results");
var shown=document.getElementById("shown"),generation=0,tb=null;
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;
  if(text!==undefined&&text!==null)e.textContent=text;return e;}
function checked(name){var s={};
  form.querySelectorAll("input[name="+name+"]").forEach(function(b){if(b.checked)s[b.value]=1;});
  return s;}
var orders={
  severity:function(a,b){return a.sev-b.sev||a.status-b.status||cmp(a.check,b.check)},
  check:function(a,b){return cmp(a.check,b.check)||a.sev-b.sev},
  project:function(a,b){return cmp(a.project,b.project)||a.sev-b.sev},
  resource:function(a,b){return cmp(a.resource,b.resource)||a.sev-b.sev},
  status:function(a,b){return a.status-b.status||a.sev-b.sev}};
function cmp(a,b){return a<b?-1:a>b?1:0}
function selected(){
  var st=checked("status"),sv=checked("severity");
  var area=form.area.value,project=form.project.value;
  var q=form.q.value.trim().toLowerCase();
  var order=orders[form.sort.value]||orders.severity;
  var list=rows.filter(function(r){return st[r.status]&&sv[r.sev]&&
    (area===""||String(r.area)===area)&&(project===""||r.project===project)&&
    (q===""||r.hay.indexOf(q)>=0);});
  list.sort(function(a,b){return order(a,b)||a.i-b.i});
  var groups=GROUPS.map(function(){return new Map()});
  list.forEach(function(r){var k=r.project+"\\u0000"+r.resource;
    r.groups.forEach(function(n){var g=groups[n];if(!g.has(k))g.set(k,[]);g.get(k).push(r);});});
  return {count:list.length,groups:groups};
}
function row(r){
  var tr=el("tr");
  var sev=SEV[r.sev];tr.appendChild(el("td","sev sev-"+sev,sev));
  var st=STATUS[r.status];tr.appendChild(el("td","status st-"+st[0],st[1]));
  var td=el("td");var a=el("a",null,r.check);a.href="#"+r.check;
  a.title=r.title;td.appendChild(a);tr.appendChild(td);
  tr.appendChild(el("td",null,r.project));
  td=el("td");td.appendChild(el("div","msg",r.message));
  if(r.subject)td.appendChild(el("div","subject","subject: "+r.subject));
  if(r.note)td.appendChild(el("div","note",r.note));
  if(r.fix){var f=el("div","fix");f.appendChild(el("pre","cmd",r.fix));
    var b=el("button","copy","Copy");b.type="button";
    b.setAttribute("aria-label","Copy the fix command");f.appendChild(b);td.appendChild(f);}
  tr.appendChild(td);return tr;
}
function table(resource,first){
  var wrap=el("div","res"),t=el("table","results"),cg=el("colgroup");
  t.appendChild(el("caption",null,resource));
  ["sev","st","chk","prj","msg"].forEach(function(c){cg.appendChild(el("col",c))});
  t.appendChild(cg);var h=el("thead",first?null:"sr"),tr=el("tr");
  ["Severity","Status","Check","Project","Result"].forEach(function(c){
    var th=el("th",null,c);th.scope="col";tr.appendChild(th);});
  h.appendChild(tr);t.appendChild(h);tb=el("tbody");t.appendChild(tb);wrap.appendChild(t);
  return wrap;
}
function render(){
  var mine=++generation,sel=selected();
  shown.textContent=sel.count+" of "+rows.length+" results shown";
  out.textContent="";
  var work=[];
  sel.groups.forEach(function(g,ai){if(!g.size)return;work.push([0,ai,g.size]);
    g.forEach(function(list){work.push([1,list[0]]);
      list.forEach(function(r){work.push([2,r])});});});
  if(!work.length){out.appendChild(el("p",null,"No result matches the filters."));}
  var i=0,sec=null,first=false;
  function step(budget){
    var end=performance.now()+budget,frag=document.createDocumentFragment();
    while(i<work.length&&performance.now()<end){
      for(var k=0;k<50&&i<work.length;k++,i++){var w=work[i];
        if(w[0]===0){var s=el("section","area");var G=GROUPS[w[1]],t=G[0];
          s.setAttribute("aria-label",t);if(G[1])s.id=G[1];
          s.appendChild(el("h3",null,t+" ("+w[2]+(w[2]===1?" resource)":" resources)")));
          if(G[2])s.appendChild(el("p","meta",G[2]));
          sec=s;first=true;frag.appendChild(s);}
        else if(w[0]===1){sec.appendChild(table(w[1].resource,first));first=false;}
        else tb.appendChild(row(w[1]));}}
    out.appendChild(frag);
    if(i<work.length)setTimeout(function(){if(mine===generation)step(40);},0);
    else document.documentElement.setAttribute("data-complete",String(mine));
  }
  step(40);
}
form.addEventListener("input",function(e){if(e.target.type==="search")render()});
form.addEventListener("change",function(e){if(e.target.type!=="search")render()});
form.addEventListener("submit",function(e){e.preventDefault()});
out.addEventListener("click",function(e){
  var b=e.target.closest("button.copy");if(!b)return;
  var text=b.parentNode.querySelector("pre").textContent;
  function done(m){b.textContent=m;setTimeout(function(){b.textContent="Copy"},1500);}
  function fallback(){var r=document.createRange();r.selectNodeContents(b.previousSibling);
    var s=window.getSelection();s.removeAllRanges();s.addRange(r);
    done(document.execCommand("copy")?"Copied":"Press Ctrl+C");}
  if(navigator.clipboard&&navigator.clipboard.writeText)
    navigator.clipboard.writeText(text).then(function(){done("Copied")},fallback);
  else fallback();
});
render();
window.gcplintReady=performance.now();
})();
"""
