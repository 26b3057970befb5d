// The live view: one HTML page that polls /api/state and draws it, with an SVG timeline. No framework.
export const statusPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbormaster — local</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 8px} h2{font-size:15px;margin:18px 0 6px}
.zones{display:flex;gap:12px;flex-wrap:wrap}.zone{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;min-width:260px}
.node{border-left:6px solid #3a3;padding:4px 8px;margin:4px 0;background:#f4fbf4;font-size:12px}
.node.cordoned{border-color:#e90;background:#fff8ec}.node.drained{border-color:#c33;background:#fdeeee}
.node.scissors{outline:1px dashed #66c}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;font-size:12px;text-align:left}
#timeline{background:#fff;border:1px solid #ddd}
.muted{color:#888}
.cluster{border:1px solid #ccd;border-radius:8px;padding:4px 12px 12px;margin:12px 0;background:#fcfcff}
.cluster h2{font-size:17px} h3{font-size:14px;margin:12px 0 4px}
</style></head><body>
<h1>Harbormaster — local control plane</h1>
<div class="muted" id="updated">loading…</div>
<div id="clusters"></div>
<h2>Rollout weights</h2><table id="rollouts"></table>
<h2>Timeline</h2><svg id="timeline" width="1000" height="220"></svg>
<table id="events"></table>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"})[c]);
const rows = (head, list) => "<tr>" + head.map((h) => "<th>" + h + "</th>").join("") + "</tr>" +
  (list.length ? list.map((r) => "<tr>" + r.map((c) => "<td>" + esc(c) + "</td>").join("") + "</tr>").join("")
   : '<tr><td colspan="' + head.length + '" class="muted">none</td></tr>');
function drawNodes(nodes) {
  const zones = [...new Set(nodes.map((n) => n.zone))].sort();
  return zones.map((z) => '<div class="zone"><b>' + esc(z) + "</b>" +
    nodes.filter((n) => n.zone === z).map((n) => {
      const cls = ["node", n.pool, n.phase === "drained" ? "drained" : n.cordoned ? "cordoned" : ""].join(" ");
      const state = n.phase ? n.phase : n.cordoned ? "cordoned" : "ready";
      return '<div class="' + cls + '" data-node="' + esc(n.name) + '" data-state="' + esc(state) + '">' + esc(n.name) +
        "<br>" + esc(n.pool + " · " + n.capacityType + " · " + state + " · " + n.pods + " pods · " + n.cpuFree.toFixed(1) + " CPU free") + "</div>";
    }).join("") + "</div>").join("");
}
// One section per cluster, labelled with its name and EKS name: nodes by zone, drains, HPA floors, headroom.
function drawCluster(c) {
  const h = c.headroom;
  return '<section class="cluster" data-cluster="' + esc(c.name) + '"><h2>Cluster ' + esc(c.name) +
    ' <span class="muted">(' + esc(c.eksCluster) + ") · " + c.nodes.length + " nodes · " + c.pods + " pods</span></h2>" +
    '<h3>Nodes</h3><div class="zones">' + drawNodes(c.nodes) + "</div>" +
    '<h3>Drains in progress</h3><table class="drains">' + rows(["node", "phase", "kinds", "evicted", "remaining", "deadline"],
      c.drains.map((d) => [d.node, d.phase, d.kinds.join(","), d.evicted, d.remaining, d.deadline])) + "</table>" +
    '<h3>HPA floors</h3><table class="hpas">' + rows(["namespace", "name", "floor (min)", "max", "current", "desired"],
      c.hpas.map((x) => [x.namespace, x.name, x.min, x.max, x.current, x.desired])) + "</table>" +
    '<h3>Free headroom</h3><div class="headroom">' + esc(h.cpuFree.toFixed(1) + " CPU free of " + h.cpuAllocatable.toFixed(1) +
      " schedulable; " + h.placeholders + " headroom placeholders") + "</div></section>";
}
function drawTimeline(entries) {
  const svg = document.getElementById("timeline");
  if (!entries.length) { svg.innerHTML = '<text x="10" y="20" fill="#888">no events yet</text>'; return; }
  const t1 = Date.now(), t0 = Math.min(entries[0].at, t1 - 60000), w = 960, lanes = {event: 40, action: 100, note: 160};
  const x = (t) => 20 + ((t - t0) / (t1 - t0)) * w;
  let out = Object.entries(lanes).map(([k, y]) => '<line x1="20" x2="980" y1="' + y + '" y2="' + y + '" stroke="#eee"/><text x="2" y="' + (y - 6) + '" font-size="11" fill="#888">' + k + "s</text>").join("");
  const color = {event: "#c60", action: "#06c", note: "#393"};
  for (const e of entries) out += '<circle cx="' + x(e.at).toFixed(1) + '" cy="' + lanes[e.kind] + '" r="4" fill="' + color[e.kind] + '" opacity="0.7"><title>' + esc(e.source + ": " + e.text) + "</title></circle>";
  const span = Math.round((t1 - t0) / 1000);
  out += '<text x="20" y="210" font-size="11" fill="#888">-' + span + ' s</text><text x="950" y="210" font-size="11" fill="#888">now</text>';
  svg.innerHTML = out;
}
async function refresh() {
  try {
    const s = await (await fetch("/api/state")).json();
    document.getElementById("clusters").innerHTML = s.snapshot.clusters.map(drawCluster).join("");
    document.getElementById("rollouts").innerHTML = rows(["record", "weights"],
      s.snapshot.rollouts.map((r) => [r.name, r.weights.map((w) => w.id + "=" + w.weight).join("  ")]));
    drawTimeline(s.timeline);
    document.getElementById("events").innerHTML = rows(["time", "kind", "source", "what"],
      s.timeline.slice(-15).reverse().map((e) => [new Date(e.at).toISOString().slice(11, 23), e.kind, e.source, e.text]));
    document.getElementById("updated").textContent = "updated " + new Date(s.snapshot.at).toISOString();
  } catch (e) { document.getElementById("updated").textContent = "cannot reach the local stack: " + e; }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>`;
