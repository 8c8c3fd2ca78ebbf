// The convarith page: the controls mirror the address's query string (the command line's spellings),
// and every change asks the server's API for the sizes, the derivation, the figure's frames, the
// equivalent convolution and the matrix C. Nothing is computed here: every number comes from the API.
"use strict";

const form = document.getElementById("controls");
const fields = ["op", "input", "kernel", "stride", "padding", "dilation", "output_padding", "mode", "ceil_mode", "convention", "values"];
const state = { frames: 0, frame: 0, playing: true, timer: null, generation: 0 };

function readAddress() {
  const query = new URLSearchParams(location.search);
  for (const name of fields) {
    const control = form.elements[name];
    if (!control || !query.has(name)) continue;
    if (control.type === "checkbox") control.checked = ["true", "1", "yes", "on"].includes(query.get(name));
    else control.value = query.get(name);
  }
  if (query.has("frame")) state.frame = Math.max(0, parseInt(query.get("frame"), 10) || 0);
}

function layerQuery() {
  const query = new URLSearchParams();
  const op = form.elements.op.value;
  for (const name of fields) {
    const control = form.elements[name];
    if (!control) continue;
    if (name === "output_padding" && op !== "transposed") continue;
    if ((name === "mode" || name === "ceil_mode") && op !== "pool") continue;
    if (control.type === "checkbox") { if (control.checked) query.set(name, "true"); continue; }
    const value = control.value.trim();
    if (value !== "") query.set(name, value);
  }
  return query;
}

async function api(path, query) {
  const response = await fetch(path + "?" + query.toString());
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error(body.error || String(body));
  return body;
}

function showError(message) {
  const error = document.getElementById("error");
  error.hidden = !message;
  error.textContent = message ? "Impossible parameters: " + message : "";
}

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

async function update() {
  const generation = ++state.generation;
  const query = layerQuery();
  document.body.className = "op-" + form.elements.op.value;
  history.replaceState(null, "", "?" + query.toString());
  try {
    const [shape, explanation, scene] = await Promise.all([api("/api/shape", query), api("/api/explain", query), api("/api/scene", query)]);
    if (generation !== state.generation) return;
    showError("");
    const sizes = (values) => values.join("×");
    document.getElementById("summary").textContent =
      `${explanation.operation} (${explanation.convention}): input ${sizes(explanation.input)} → output ${sizes(shape.output)}`;
    document.getElementById("summary").dataset.output = sizes(shape.output);
    renderDerivation(explanation);
    state.frames = scene.frames;
    state.frame = Math.min(state.frame, scene.frames - 1);
    await drawFrame(query, generation);
    restartTimer();
    renderEquivalent(query, generation);
    renderMatrix(query, generation);
  } catch (error) {
    if (generation !== state.generation) return;
    showError(error.message);
    document.getElementById("summary").textContent = "";
    document.getElementById("summary").dataset.output = "";
    document.getElementById("figure").replaceChildren();
    document.getElementById("relationships").replaceChildren();
    document.getElementById("derivation").replaceChildren();
    document.getElementById("equivalent").replaceChildren();
    document.getElementById("matrix").replaceChildren();
    state.frames = 0;
    restartTimer();
  }
}

function renderDerivation(explanation) {
  const relationships = document.getElementById("relationships");
  relationships.replaceChildren();
  if (explanation.relationships.length === 0) {
    relationships.append(text("p", "No relationship of the paper holds on every axis as stated (asymmetric padding, ceil mode, dilation, differing axes, or a convention's own rule); each axis is derived below."));
  }
  for (const relationship of explanation.relationships) {
    const number = relationship.seed === null ? `paper ${relationship.paper}` : relationship.seed === relationship.paper ? `${relationship.seed}` : `${relationship.seed} (paper ${relationship.paper})`;
    relationships.append(text("p", `Relationship ${number} — ${relationship.title}: ${relationship.formula}`, "formula"));
  }
  const derivation = document.getElementById("derivation");
  derivation.replaceChildren();
  for (const axis of explanation.derivations) {
    derivation.append(text("h3", `Axes ${axis.axes.join(", ")}: ${axis.given}`));
    for (const step of axis.steps) {
      const block = document.createElement("div");
      block.className = "step";
      block.append(text("b", step.title), text("pre", step.detail));
      derivation.append(block);
    }
  }
}

async function drawFrame(query, generation) {
  if (state.frames === 0) return;
  const frameQuery = new URLSearchParams(query);
  frameQuery.set("frame", String(state.frame));
  const svg = await api("/api/scene.svg", frameQuery);
  if (generation !== state.generation) return;
  const figure = document.getElementById("figure");
  figure.innerHTML = svg.replace(/^<\?xml[^>]*>\s*/, "");
  document.getElementById("frame-label").textContent = `frame ${state.frame + 1} of ${state.frames}`;
}

async function renderEquivalent(query, generation) {
  const section = document.getElementById("equivalent-section");
  const target = document.getElementById("equivalent");
  if (form.elements.op.value === "pool") { section.hidden = true; return; }
  section.hidden = false;
  try {
    const answer = await api("/api/transpose", query);
    if (generation !== state.generation) return;
    const e = answer.equivalent, t = answer.transposed, c = answer.convolution;
    target.replaceChildren(
      text("p", `Convolution: i = ${c.input.join("×")} → o = ${c.output.join("×")}; transposed: i' = ${t.input.join("×")} → o' = ${t.output.join("×")} (a = ${t.output_padding.join("×")}).`),
      text("p", `Stretched input ĩ' = ${e.stretched_input.join("×")} (${e.inserted_zeros.join("×")} zeros between units), k' = ${e.kernel.join("×")}, s' = ${e.stride.join("×")}, p' = ${e.padding.map((p) => p[0] + ":" + p[1]).join(", ")} (the a extra zeros at the end of each axis).`, "formula"));
  } catch (error) {
    target.replaceChildren(text("p", error.message));
  }
}

async function renderMatrix(query, generation) {
  const target = document.getElementById("matrix");
  const section = document.getElementById("matrix-section");
  if (form.elements.op.value === "pool") { section.hidden = true; return; }
  section.hidden = false;
  try {
    const answer = await api("/api/matrix", query);
    if (generation !== state.generation) return;
    if (answer.rows * answer.columns > 4096) { target.replaceChildren(text("p", `${answer.rows} × ${answer.columns}: too large to show here; convarith matrix prints it.`)); return; }
    const table = document.createElement("table");
    table.setAttribute("aria-label", `${answer.matrix === "C" ? "C" : "Cᵀ"}, ${answer.rows} × ${answer.columns}`);
    for (const row of answer.entries) {
      const tr = document.createElement("tr");
      for (const entry of row) tr.append(text("td", entry, entry === "0" ? "zero" : ""));
      table.append(tr);
    }
    target.replaceChildren(text("p", `${answer.matrix === "C" ? "C" : "Cᵀ"}: ${answer.rows} × ${answer.columns}, ${answer.non_zeros} non-zeros`), table);
  } catch (error) {
    target.replaceChildren(text("p", error.message));
  }
}

function restartTimer() {
  clearInterval(state.timer);
  state.timer = null;
  document.getElementById("play").textContent = state.playing ? "Pause" : "Play";
  if (!state.playing || state.frames < 2) return;
  const perSecond = Number(document.getElementById("speed").value);
  state.timer = setInterval(() => step(1), 1000 / perSecond);
}

function step(delta) {
  if (state.frames === 0) return;
  state.frame = (state.frame + delta + state.frames) % state.frames;
  drawFrame(layerQuery(), state.generation);
}

document.getElementById("play").addEventListener("click", () => { state.playing = !state.playing; restartTimer(); });
document.getElementById("next").addEventListener("click", () => { state.playing = false; restartTimer(); step(1); });
document.getElementById("previous").addEventListener("click", () => { state.playing = false; restartTimer(); step(-1); });
document.getElementById("speed").addEventListener("input", restartTimer);
document.addEventListener("keydown", (event) => {
  if (event.target.closest("form")) return;
  if (event.key === "ArrowRight") { state.playing = false; restartTimer(); step(1); }
  if (event.key === "ArrowLeft") { state.playing = false; restartTimer(); step(-1); }
  if (event.key === " ") { event.preventDefault(); state.playing = !state.playing; restartTimer(); }
});
let pending = null;
form.addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(() => { state.frame = 0; update(); }, 150); });
form.addEventListener("submit", (event) => event.preventDefault());

readAddress();
if (new URLSearchParams(location.search).has("paused")) state.playing = false;
update();
