// Lince dashboard. Everything that comes from an event (ids, sources, labels) is put on the page
// with textContent or as an attribute value, never parsed as HTML.
"use strict";

const state = { auth: null, roles: [], classes: [], queue: [], current: null, lastLabel: null, skipped: new Set() };
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function say(text, error = true) {
  $("message").textContent = text || "";
  $("message").className = error ? "error" : "";
}

async function api(path, options = {}) {
  const headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
  if (state.auth) headers["Authorization"] = state.auth;
  if (options.method && options.method !== "GET") headers["X-Lince-CSRF"] = "dashboard";
  const response = await fetch(path, Object.assign({}, options, { headers, credentials: "omit" }));
  if (!response.ok) {
    let reason = response.status + " " + response.statusText;
    try { const body = await response.json(); if (body && body.error) reason = body.error; } catch (e) { /* no body */ }
    const err = new Error(reason);
    err.status = response.status;
    throw err;
  }
  return response.status === 204 ? null : response.json();
}

// ---- session ----
async function refreshSession() {
  const s = await api("/api/session");
  state.roles = s.roles;
  state.bucketSeconds = s.bucketSeconds;
  const signedIn = s.user !== "";
  $("signin").hidden = signedIn;
  $("who").hidden = !signedIn;
  $("who-name").textContent = signedIn ? s.user + " (" + s.roles.join(", ") + ")" : "";
  return signedIn || s.anonymousRead;
}

$("signin").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  state.auth = "Basic " + btoa(unescape(encodeURIComponent($("user").value + ":" + $("password").value)));
  try {
    await api("/api/classes");
    $("password").value = "";
    say("");
    await start();
  } catch (e) {
    state.auth = null;
    say(e.status === 401 ? "Wrong user or password." : "Sign-in failed: " + e.message);
  }
});

$("signout").addEventListener("click", () => { state.auth = null; location.reload(); });

// ---- labelling queue ----
const canLabel = () => state.roles.includes("labeller") || state.roles.includes("admin");

function showQueue() {
  const waiting = state.queue.filter((q) => !state.skipped.has(q.imageId));
  $("queue-count").textContent = "(" + waiting.length + " waiting)";
  state.current = waiting.length ? waiting[0] : null;
  $("queue-empty").hidden = state.current !== null;
  $("queue-item").hidden = state.current === null;
  if (!state.current) return;
  const q = state.current;
  if (q.thumbnail) $("queue-image").setAttribute("src", q.thumbnail); else $("queue-image").removeAttribute("src");
  $("queue-id").textContent = q.imageId;
  $("queue-source").textContent = q.source || "";
  $("queue-version").textContent = q.prediction.modelVersion;
  $("queue-guess").textContent = q.prediction.label;
  $("queue-reason").textContent = "(" + q.reason + ")";
  const bars = $("queue-probabilities");
  bars.replaceChildren();
  for (const [cls, p] of Object.entries(q.prediction.probabilities)) {
    const row = el("div", null, "bar");
    row.append(el("span", cls));
    const fill = el("span", null, "fill");
    fill.style.width = Math.round(200 * p) + "px";
    row.append(fill, el("span", (100 * p).toFixed(1) + "%"));
    bars.append(row);
  }
  if ($("gradcam").dataset.for !== q.imageId) {
    $("gradcam-image").hidden = true;
    $("gradcam").dataset.for = q.imageId;
  }
  const buttons = $("queue-buttons");
  buttons.replaceChildren();
  state.classes.forEach((cls, i) => {
    const b = el("button", (i + 1) + "  " + cls);
    b.type = "button";
    b.dataset.label = cls;
    b.disabled = !canLabel();
    b.addEventListener("click", () => label(cls));
    buttons.append(b);
  });
}

async function label(cls) {
  const q = state.current;
  if (!q || !canLabel()) return;
  try {
    await api("/api/labels", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ imageId: q.imageId, label: cls }) });
    state.lastLabel = q;
    state.queue = state.queue.filter((x) => x.imageId !== q.imageId);
    $("undo").disabled = false;
    say("Labelled " + q.imageId + " as " + cls + ".", false);
    showQueue();
  } catch (e) {
    say("The label was not saved: " + e.message);
  }
}

// Undo puts the image back at the front of the queue; the next label given replaces the first
// (the trainer keeps the last label and the history of both).
function undo() {
  if (!state.lastLabel) return;
  state.queue = [state.lastLabel].concat(state.queue.filter((x) => x.imageId !== state.lastLabel.imageId));
  state.skipped.delete(state.lastLabel.imageId);
  state.lastLabel = null;
  $("undo").disabled = true;
  say("Choose the label again.", false);
  showQueue();
}
$("undo").addEventListener("click", undo);

document.addEventListener("keydown", (ev) => {
  if (ev.target instanceof HTMLInputElement || !state.current) return;
  if (ev.key >= "1" && ev.key <= "9") {
    const cls = state.classes[Number(ev.key) - 1];
    if (cls) label(cls);
  } else if (ev.key === "u") {
    undo();
  } else if (ev.key === "s") {
    state.skipped.add(state.current.imageId);
    showQueue();
  }
});

// ---- feed ----
function showFeed(items) {
  const feed = $("feed");
  feed.replaceChildren(...items.map((f) => {
    const card = el("div", null, "card" + (f.uncertain ? " uncertain" : ""));
    card.dataset.imageId = f.imageId;
    const img = el("img");
    img.alt = "";
    if (f.thumbnail) img.setAttribute("src", f.thumbnail);
    card.append(img, el("div", f.prediction.label + " " + (100 * f.prediction.confidence).toFixed(0) + "%"),
      el("div", "v" + f.prediction.modelVersion + (f.uncertain ? " · sent for labelling" : ""), "muted"),
      el("div", f.imageId, "muted id"));
    if (f.label) card.append(el("div", "labelled " + f.label));
    return card;
  }));
}

// ---- charts ----
// Vertical marks where a newer model version starts classifying, on every chart.
function versionMarks(buckets) {
  const marks = [];
  let last = 0;
  for (const b of buckets) {
    if (b.version > last) { if (last) marks.push({ x: b.start / 1000, label: "v" + b.version }); last = b.version; }
  }
  return marks;
}

function line(svg, series, yMax, format, marks = []) {
  svg.replaceChildren();
  const W = 320, H = 140, L = 30, B = 15;
  const all = series.flatMap((s) => s.points);
  if (!all.length) return;
  const x0 = Math.min(...all.map((p) => p.x)), x1 = Math.max(...all.map((p) => p.x), x0 + 10);
  const top = yMax || Math.max(...all.map((p) => p.y), 1e-9);
  const X = (x) => L + (W - L - 5) * (x - x0) / (x1 - x0);
  const Y = (y) => H - B - (H - B - 5) * y / top;
  marks.forEach((m) => {
    const l = document.createElementNS(SVG, "line");
    l.setAttribute("x1", X(m.x)); l.setAttribute("x2", X(m.x)); l.setAttribute("y1", 5); l.setAttribute("y2", H - B);
    l.setAttribute("stroke", "#999"); l.setAttribute("stroke-dasharray", "3,3");
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("x", X(m.x) + 2); t.setAttribute("y", H - 3); t.textContent = m.label;
    svg.append(l, t);
  });
  const axis = document.createElementNS(SVG, "text");
  axis.setAttribute("x", 2); axis.setAttribute("y", 12); axis.textContent = format(top);
  svg.append(axis);
  const colors = ["#3e7cb1", "#d97706", "#2f855a", "#9b2c2c", "#6b46c1", "#555"];
  series.forEach((s, i) => {
    const path = document.createElementNS(SVG, "polyline");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", colors[i % colors.length]);
    path.setAttribute("points", s.points.map((p) => X(p.x) + "," + Y(p.y)).join(" "));
    svg.append(path);
    s.points.forEach((p) => {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", X(p.x)); dot.setAttribute("cy", Y(p.y)); dot.setAttribute("r", 2);
      dot.setAttribute("fill", colors[i % colors.length]);
      svg.append(dot);
    });
    if (s.name) {
      const t = document.createElementNS(SVG, "text");
      t.setAttribute("x", W - 60); t.setAttribute("y", 12 + 10 * i); t.setAttribute("fill", colors[i % colors.length]);
      t.textContent = s.name;
      svg.append(t);
    }
  });
}

function showCharts(buckets, bucketSeconds) {
  const t = (b) => b.start / 1000;
  const marks = versionMarks(buckets);
  line($("chart-throughput"), [{ points: buckets.map((b) => ({ x: t(b), y: b.classified / bucketSeconds })) }], 0, (v) => v.toFixed(1) + "/s", marks);
  line($("chart-uncertain"), [{ points: buckets.filter((b) => b.classified).map((b) => ({ x: t(b), y: b.uncertain / b.classified })) }], 1, () => "100%", marks);
  const versions = [...new Set(buckets.flatMap((b) => Object.keys(b.labelledRightOfVersion)))];
  line($("chart-accuracy"), versions.map((v) => ({ name: "v" + v, points: buckets
    .filter((b) => b.labelledRightOfVersion[v])
    .map((b) => ({ x: t(b), y: b.labelledRightOfVersion[v][0] / b.labelledRightOfVersion[v][1] })) })), 1, () => "100%", marks);
}

// Grad-CAM on demand: computed by the server on the serving model, never by the stream
async function gradCam() {
  const q = state.current;
  if (!q) return;
  const headers = {};
  if (state.auth) headers["Authorization"] = state.auth;
  try {
    const response = await fetch("/api/gradcam?id=" + encodeURIComponent(q.imageId), { headers, credentials: "omit" });
    if (!response.ok) throw new Error(response.status + " " + response.statusText);
    const blob = await response.blob();
    // a data: URL, which the page's Content-Security-Policy allows for images (blob: it does not)
    const url = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
    const img = $("gradcam-image");
    img.src = url;
    img.hidden = false;
  } catch (e) { say("No heat map: " + e.message); }
}

function showWatch(w) {
  if (!w || w.version === undefined) { $("watch").textContent = ""; return; }
  const parts = ["T " + Number(w.temperature).toFixed(2)];
  if (w.ece !== undefined && w.ece !== null) parts.push("ECE " + Number(w.ece).toFixed(3));
  parts.push(w.drift === "drift" ? "DRIFT (PSI " + Number(w.confidencePsi).toFixed(2) + ", shift " + Number(w.embeddingShift).toFixed(2) + " sd)"
    : w.drift === "quiet" ? "no drift" : w.drift === "filling" ? "drift: filling window" : "drift: no reference");
  if (w.shadowVersion) parts.push("shadowing v" + w.shadowVersion);
  $("watch").textContent = "· " + parts.join(" · ");
  $("watch").className = w.drift === "drift" ? "alert" : "muted";
}

// ---- models ----
function showModels(models) {
  const body = $("models").querySelector("tbody");
  const admin = state.roles.includes("admin");
  body.replaceChildren(...models.slice().reverse().map((m) => {
    const tr = el("tr", null, m.serving ? "serving" : "");
    const metric = (k) => (m.metrics && m.metrics[k] !== undefined ? Number(m.metrics[k]).toFixed(4) : "");
    [m.version, m.parentVersion === null ? "" : m.parentVersion, m.status + (m.serving ? " (serving)" : ""),
      metric("eval.accuracy"), metric("eval.logLoss"),
      m.metrics && m.metrics.ece !== undefined ? metric("ece") + " (" + Number(m.metrics.temperature).toFixed(2) + ")" : "",
      m.metrics && m.metrics["shadow.agreement"] !== undefined
        ? (100 * m.metrics["shadow.agreement"]).toFixed(1) + "% of " + m.metrics["shadow.images"] : "",
      m.trainedOn, m.decision || ""].forEach((v) => tr.append(el("td", v)));
    const cell = el("td");
    if (admin && !m.serving) {
      const b = el("button", m.status === "promoted" || m.status === "retired" ? "Roll back to v" + m.version : "Promote");
      b.type = "button";
      b.addEventListener("click", async () => {
        try {
          await api("/api/models/" + m.version + "/promote?reason=" + encodeURIComponent("from the dashboard"), { method: "POST" });
          say("v" + m.version + " is now the champion; classifiers switch within seconds.", false);
        } catch (e) { say("Promotion failed: " + e.message); }
      });
      cell.append(b);
    }
    tr.append(cell);
    if (m.serving) $("serving").textContent = "serving v" + m.version;
    return tr;
  }));
}

// ---- polling ----
async function refresh() {
  try {
    const [feed, queue, buckets, models, watch] = await Promise.all([
      api("/api/feed?limit=48"), api("/api/queue?limit=100"), api("/api/stats"), api("/api/models"),
      api("/api/watch").catch(() => null)]);
    showWatch(watch);
    showFeed(feed);
    const keep = state.current ? state.current.imageId : null;
    state.queue = queue;
    if (keep && !queue.some((q) => q.imageId === keep) && state.lastLabel && state.lastLabel.imageId === keep) state.current = null;
    showQueue();
    showCharts(buckets, state.bucketSeconds || 10);
    showModels(models);
  } catch (e) {
    say(e.status === 401 ? "Sign in to see Lince." : "Could not refresh: " + e.message);
  }
}

let timer = null;
async function start() {
  if (!(await refreshSession())) { say("Sign in to see Lince."); return; }
  state.classes = await api("/api/classes");
  await refresh();
  if (!timer) timer = setInterval(refresh, 2000);
}

$("gradcam").addEventListener("click", gradCam);
start().catch((e) => say("Lince is not reachable: " + e.message));
