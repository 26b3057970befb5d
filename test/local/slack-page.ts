// The local Slack view: channels with their threads as the Slack worker posted them, and a box that sends
// a slash command, signed as Slack signs it, to the command function.
export const slackPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbormaster — local Slack</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;background:#f8f8fa;color:#1d1c1d}
.channel{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:10px 0}
.msg{border-top:1px solid #eee;padding:6px 0}.reply{margin-left:24px;border-left:3px solid #ddd;padding-left:8px;font-size:13px}
.ts{color:#888;font-size:11px} pre{white-space:pre-wrap;margin:2px 0;font:13px system-ui,sans-serif}
form{display:flex;gap:6px}input{flex:1;padding:6px;font:14px monospace}#answer{background:#fff;border:1px solid #ddd;padding:8px;white-space:pre-wrap;font:12px monospace}
</style></head><body>
<h1 style="font-size:20px">Local Slack</h1>
<form id="cmd"><input id="text" placeholder="/harbormaster status" value="status"><button>send /harbormaster</button></form>
<div id="confirm" hidden><button id="run">Run</button> <button id="cancel">Cancel</button></div>
<div id="answer" class="muted">signed slash commands go to the command function; its answers appear here</div>
<div id="channels"></div>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"})[c]);
const blockText = (m) => (m.blocks || []).map((b) => (b.text && b.text.text) || (b.elements || []).map((e) => e.text || "").join(" ")).filter(Boolean).join("\\n") || m.text;
async function refresh() {
  const s = await (await fetch("/api/slack")).json();
  const byChannel = {};
  for (const m of s.messages) (byChannel[m.channel] ||= []).push(m);
  document.getElementById("channels").innerHTML = Object.entries(byChannel).map(([ch, ms]) =>
    '<div class="channel" data-channel="' + esc(ch) + '"><b>#' + esc(ch) + "</b>" +
    ms.filter((m) => !m.threadTs).map((p) => '<div class="msg" data-ts="' + esc(p.ts) + '"><span class="ts">' + esc(p.ts) + (p.updates ? " · edited" : "") + "</span><pre>" + esc(blockText(p)) + "</pre>" +
      ms.filter((r) => r.threadTs === p.ts).map((r) => '<div class="reply"><pre>' + esc(blockText(r)) + "</pre></div>").join("") + "</div>").join("") +
    "</div>").join("") || '<div class="muted">no messages yet: play a scenario</div>';
}
let sentAt = 0, ack = "";
document.getElementById("cmd").addEventListener("submit", async (e) => {
  e.preventDefault();
  sentAt = Date.now();
  const r = await fetch("/api/slack/command", {method: "POST", body: JSON.stringify({text: document.getElementById("text").value})});
  ack = await r.text();
  document.getElementById("answer").textContent = ack;
  showConfirm(ack);
});
// A command that changes something answers with Slack's confirm prompt: its Run button sends the signed value.
let confirmValue = "";
function showConfirm(text) {
  let button;
  try {
    const blocks = JSON.parse(text).blocks || [];
    button = blocks.flatMap((b) => b.elements || []).find((e) => e.action_id === "harbormaster_confirm");
  } catch {}
  confirmValue = button ? button.value : "";
  document.getElementById("confirm").hidden = !button;
}
document.getElementById("run").addEventListener("click", async () => {
  if (!confirmValue || !window.confirm("Are you sure?")) return;
  sentAt = Date.now();
  const r = await fetch("/api/slack/confirm", {method: "POST", body: JSON.stringify({value: confirmValue})});
  ack = await r.text();
  document.getElementById("answer").textContent = ack;
  showConfirm("");
});
document.getElementById("cancel").addEventListener("click", () => showConfirm(""));
// The command's later answers arrive on its response_url: show those that came after the last command.
async function answers() {
  if (!sentAt) return;
  const s = await (await fetch("/api/slack")).json();
  const later = s.responses.filter((x) => x.at >= sentAt).map((x) => JSON.stringify(x.body, null, 1));
  document.getElementById("answer").textContent = ack + (later.length ? "\\n--- response_url ---\\n" + later.join("\\n") : "");
}
setInterval(answers, 1000);
refresh(); setInterval(refresh, 1500);
</script></body></html>`;
