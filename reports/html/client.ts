/**
 * The report's only script: status filters, text search and copy buttons. Kept as
 * plain ES2017 text (no build step, no imports) and allowed by its SHA-256 in the
 * page's CSP, so no other script (injected or not) can run. It reads data only from
 * the JSON block and never writes untrusted text as markup (textContent only).
 */
export const CLIENT_SCRIPT = `(function(){
'use strict';
var dataEl=document.getElementById('gauntlet-data');
var data={controls:[]};
try{data=JSON.parse(dataEl?dataEl.textContent:'{}')||data;}catch(e){}
var index={};
(data.controls||[]).forEach(function(c){index[c.id]=c;});
var state={status:'all',query:''};
var rows=Array.prototype.slice.call(document.querySelectorAll('details.ctl'));
var groups=Array.prototype.slice.call(document.querySelectorAll('section.clause'));
var count=document.getElementById('matrix-count');
var none=document.getElementById('matrix-empty');
function matches(row){
  var c=index[row.getAttribute('data-id')]||{status:row.getAttribute('data-status'),search:''};
  if(state.status!=='all'&&c.status!==state.status)return false;
  if(!state.query)return true;
  return String(c.search||'').indexOf(state.query)!==-1;
}
function apply(){
  var shown=0;
  rows.forEach(function(r){var ok=matches(r);r.classList.toggle('hidden',!ok);if(ok)shown++;});
  groups.forEach(function(g){g.classList.toggle('hidden',!g.querySelector('details.ctl:not(.hidden)'));});
  if(count)count.textContent='showing '+shown+' of '+rows.length+' controls';
  if(none)none.classList.toggle('hidden',shown!==0);
}
Array.prototype.forEach.call(document.querySelectorAll('[data-filter]'),function(b){
  b.addEventListener('click',function(){
    state.status=b.getAttribute('data-filter')||'all';
    Array.prototype.forEach.call(document.querySelectorAll('[data-filter]'),function(o){o.setAttribute('aria-pressed',String(o===b));});
    apply();
  });
});
var search=document.getElementById('matrix-search');
if(search)search.addEventListener('input',function(){state.query=search.value.trim().toLowerCase();apply();});
var expand=document.getElementById('expand-failures');
if(expand)expand.addEventListener('click',function(){
  var open=expand.getAttribute('data-open')!=='true';
  rows.forEach(function(r){if(r.getAttribute('data-status')==='fail'&&!r.classList.contains('hidden'))r.open=open;});
  expand.setAttribute('data-open',String(open));
  expand.textContent=open?'Collapse failures':'Expand failures';
});
function flash(b,text){var old=b.getAttribute('data-label')||b.textContent;b.setAttribute('data-label',old);b.textContent=text;b.classList.add('done');setTimeout(function(){b.textContent=old;b.classList.remove('done');},1500);}
function fallbackCopy(el){
  var range=document.createRange();range.selectNodeContents(el);
  var sel=window.getSelection();if(!sel)return false;
  sel.removeAllRanges();sel.addRange(range);
  var ok=false;try{ok=document.execCommand('copy');}catch(e){}
  return ok;
}
Array.prototype.forEach.call(document.querySelectorAll('button.copy'),function(b){
  b.addEventListener('click',function(ev){
    ev.preventDefault();ev.stopPropagation();
    var el=document.getElementById(b.getAttribute('data-copy')||'');
    if(!el)return;
    var text=el.textContent||'';
    var done=function(){flash(b,'Copied');};
    var fail=function(){flash(b,fallbackCopy(el)?'Copied':'Selected');};
    if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).then(done,fail);}else{fail();}
  });
});
// Logs are tails: show their last lines first.
Array.prototype.forEach.call(document.querySelectorAll('pre.log'),function(p){p.scrollTop=p.scrollHeight;});
apply();
document.documentElement.setAttribute('data-ready','true');
})();`;
