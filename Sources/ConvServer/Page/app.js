// The convarith page: the controls mirror the address's query string (the command line's spellings),
// and every change asks the server's API for the sizes, the derivation, the figure's frames, the cells
// under each kernel tap, the values each control may take, the equivalent convolution and the matrix C.
// Nothing is computed here: every number comes from the API.
"use strict";

const form = document.getElementById("controls");
const layerFields = ["op", "input", "kernel", "stride", "padding", "dilation", "output_padding", "mode", "ceil_mode", "count_include_pad", "convention", "values"];
const pageFields = ["slice", "cell"];
const state = {
  frames: 0, frame: 0, playing: true, timer: null, generation: 0,
  footprints: null, // the /api/footprints answer, or null when the layer is too large to list
  pointed: null,    // the cell under the pointer or the keyboard focus: { grid, coordinates }
  pinned: null,     // the output cell pinned by a click or the address's cell=r,c
  zoom: "fit",      // "fit" (the figure fills the width, up to 4×) or a scale factor
};

// ---- The address and the API -------------------------------------------------------------------------

function readAddress() {
  const query = new URLSearchParams(location.search);
  for (const name of layerFields.concat(["slice"])) {
    const control = form.elements[name];
    if (!control || !query.has(name)) continue;
    if (control.type === "checkbox") control.checked = ["true", "1", "yes", "on"].includes(query.get(name));
    else {
      if (control.tagName === "SELECT" && ![...control.options].some((option) => option.value === query.get(name))) {
        control.append(new Option(query.get(name), query.get(name)));
      }
      control.value = query.get(name);
    }
  }
  if (query.has("frame")) state.frame = Math.max(0, parseInt(query.get("frame"), 10) || 0);
  const cell = parseCell(query.get("cell"));
  if (cell) state.pinned = { grid: "output", coordinates: cell };
}

function parseCell(text) {
  if (!text) return null;
  const parts = text.split(/[,x×]/).map((part) => Number(part));
  return parts.every((part) => Number.isInteger(part) && part >= 0) ? parts : null;
}

function layerQuery() {
  const query = new URLSearchParams();
  const op = form.elements.op.value;
  for (const name of layerFields) {
    const control = form.elements[name];
    if (!control) continue;
    if (name === "output_padding" && op !== "transposed") continue;
    if ((name === "mode" || name === "ceil_mode" || name === "count_include_pad") && op !== "pool") continue;
    if (name === "count_include_pad" && form.elements.mode.value !== "avg") continue;
    if (control.type === "checkbox") { if (control.checked) query.set(name, "true"); continue; }
    const value = control.value.trim();
    if (value !== "") query.set(name, value);
  }
  return query;
}

function addressQuery() {
  const query = layerQuery();
  if (form.elements.slice.value !== "all" && isVolume()) query.set("slice", form.elements.slice.value);
  if (state.pinned) query.set("cell", state.pinned.coordinates.join(","));
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

// ---- One update: every answer for the layer in the controls ---------------------------------------------

async function update() {
  const generation = ++state.generation;
  const started = performance.now();
  const query = layerQuery();
  document.body.className = "op-" + form.elements.op.value;
  history.replaceState(null, "", "?" + addressQuery().toString());
  renderChoices(query, generation);
  try {
    // Every answer at once; the frame asked for is the current one, asked again below if the layer has fewer.
    const frameQuery = new URLSearchParams(query);
    frameQuery.set("frame", String(Math.max(state.frame, 0)));
    const frameSVG = api("/api/scene.svg", frameQuery).catch(() => null);
    const footprints = api("/api/footprints", query).catch((error) => ({ refused: error.message }));
    const [shape, explanation, scene] = await Promise.all([api("/api/shape", query), api("/api/explain", query), api("/api/scene", query)]);
    if (generation !== state.generation) return;
    showError("");
    showSections(true);
    const sizes = (values) => values.join("×");
    document.getElementById("summary").textContent =
      `${explanation.operation} (${explanation.convention}): input ${sizes(explanation.input)} → output ${sizes(shape.output)}`;
    document.getElementById("summary").dataset.output = sizes(shape.output);
    renderDerivation(explanation);
    state.frames = scene.frames;
    state.outputSizes = shape.output;
    renderSlices(shape.output);
    const asked = Math.max(state.frame, 0);
    state.frame = clampToSlice(Math.min(state.frame, scene.frames - 1));
    const [svg, answer] = await Promise.all([frameSVG, footprints]);
    if (generation !== state.generation) return;
    state.footprints = answer.refused ? null : answer;
    if (svg !== null && asked === state.frame) showFrame(svg); else await drawFrame(query, generation);
    if (generation !== state.generation) return;
    document.getElementById("highlight-note").textContent = answer.refused
      ? "Highlighting is off for this layer: " + answer.refused
      : "Point at (or tab to) an output cell to see the cells it reads, or at an input cell to see the outputs it feeds; click an output to pin it.";
    applyHighlight();
    const elapsed = performance.now() - started;
    document.body.dataset.redrawMs = elapsed.toFixed(1);
    document.body.dataset.redraws = String(Number(document.body.dataset.redraws || 0) + 1);
    document.getElementById("timing").textContent = `drawn in ${elapsed.toFixed(0)} ms`;
    restartTimer();
    renderEquivalent(query, generation);
    renderMatrix(query, generation);
  } catch (error) {
    if (generation !== state.generation) return;
    showError(error.message);
    // An impossible layer: no figure, derivation or matrix to show; the values that repair it, open.
    showSections(false);
    document.getElementById("summary").textContent = "";
    document.getElementById("summary").dataset.output = "";
    for (const id of ["figure", "relationships", "derivation", "equivalent", "matrix", "highlight-status"]) document.getElementById(id).replaceChildren();
    state.frames = 0;
    state.footprints = null;
    restartTimer();
    document.body.dataset.redrawMs = (performance.now() - started).toFixed(1);
    document.body.dataset.redraws = String(Number(document.body.dataset.redraws || 0) + 1);
  }
}

// The figure, derivation, equivalent and matrix sections are shown for a valid layer; for an impossible
// one they are hidden and the list of repairing values is opened.
function showSections(valid) {
  for (const id of ["animation", "derivation-section", "matrix-section"]) document.getElementById(id).hidden = !valid;
  if (!valid) {
    document.getElementById("equivalent-section").hidden = true;
    document.getElementById("choices-section").open = true;
  }
}

// ---- Controls that offer the valid values and say why the others are not --------------------------------

const fieldTitles = { kernel: "Kernel", stride: "Stride", padding: "Padding", dilation: "Dilation", output_padding: "Output padding", convention: "Convention" };

// "1–5, 7" for numbers; names as they are.
function describeValues(values) {
  const numbers = values.filter((value) => /^\d+$/.test(value)).map(Number);
  const names = values.filter((value) => !/^\d+$/.test(value));
  const runs = [];
  for (const number of numbers) {
    const last = runs[runs.length - 1];
    if (last && number === last[1] + 1) last[1] = number; else runs.push([number, number]);
  }
  return runs.map(([low, high]) => (low === high ? `${low}` : `${low}–${high}`)).concat(names).join(", ");
}

// Invalid values grouped into runs of consecutive numbers, each with its first value's reason.
function describeRefusals(invalid) {
  const groups = [];
  for (const { value, reason } of invalid) {
    const last = groups[groups.length - 1];
    const number = /^\d+$/.test(value) ? Number(value) : null;
    if (last && number !== null && last.high !== null && number === last.high + 1) { last.high = number; continue; }
    groups.push({ low: number, high: number, value, reason });
  }
  return groups.map((group) => {
    const label = group.low === null ? group.value : group.low === group.high ? `${group.low}` : `${group.low}–${group.high}`;
    return `${label}: ${group.reason}`;
  });
}

async function renderChoices(query, generation) {
  const list = document.getElementById("choices");
  let answer;
  try { answer = await api("/api/choices", query); } catch (error) { if (generation === state.generation) list.replaceChildren(); return; }
  if (generation !== state.generation) return;
  list.replaceChildren();
  for (const [field, choice] of Object.entries(answer)) {
    const control = form.elements[field];
    if (!control) continue;
    if (control.tagName === "SELECT") {
      for (const option of control.options) {
        const refusal = choice.invalid.find((entry) => entry.value === option.value);
        option.disabled = Boolean(refusal) && option.value !== control.value;
        option.title = refusal ? refusal.reason : "";
      }
    } else {
      const datalist = document.getElementById("choices-" + field);
      if (datalist) datalist.replaceChildren(...choice.valid.map((value) => new Option(value, value)));
    }
    const row = document.createElement("div");
    row.className = "choice";
    row.dataset.field = field;
    row.append(text("dt", fieldTitles[field] || field));
    const detail = document.createElement("dd");
    detail.append(text("span", choice.valid.length ? "valid here: " + describeValues(choice.valid) : "no value of this control alone repairs the layer", "valid"));
    const refusals = describeRefusals(choice.invalid);
    if (refusals.length) {
      const more = document.createElement("ul");
      for (const refusal of refusals) more.append(text("li", refusal));
      detail.append(more);
    }
    row.append(detail);
    list.append(row);
  }
}

// ---- Derivation, equivalent convolution, matrix ----------------------------------------------------------

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
      text("p", `Convolution: i = ${c.input.join("×")} → o = ${c.output.join("×")}; transposed: i' = ${t.input.join("×")} → o' = ${t.output.join("×")} (a = ${t.output_padding.join(", ")}).`),
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

// ---- The figure: frames, 3-D slices, highlighting ------------------------------------------------------

function isVolume() { return (state.outputSizes || []).length === 3; }

// A 3-D layer's output slices: the animation can step through one of them.
function renderSlices(outputSizes) {
  const select = form.elements.slice;
  const wanted = select.value;
  const depth = outputSizes.length === 3 ? outputSizes[0] : 0;
  const options = [new Option("every slice", "all")];
  for (let slice = 0; slice < depth; slice++) options.push(new Option(`output slice ${slice}`, String(slice)));
  select.replaceChildren(...options);
  select.value = options.some((option) => option.value === wanted) ? wanted : "all";
  document.body.classList.toggle("rank-3", depth > 0);
}

// The frames the animation steps through: all of them, or one output slice's.
function frameRange() {
  const slice = form.elements.slice.value;
  if (!isVolume() || slice === "all") return [0, state.frames];
  const perSlice = state.outputSizes[1] * state.outputSizes[2];
  return [Number(slice) * perSlice, (Number(slice) + 1) * perSlice];
}

function clampToSlice(frame) {
  const [low, high] = frameRange();
  return frame >= low && frame < high ? frame : low;
}

async function drawFrame(query, generation) {
  if (state.frames === 0) return;
  const frameQuery = new URLSearchParams(query);
  frameQuery.set("frame", String(state.frame));
  const svg = await api("/api/scene.svg", frameQuery);
  if (generation !== state.generation) return;
  showFrame(svg);
}

// Puts a frame's SVG on the page, its output cells keyboard stops, the highlight kept.
function showFrame(svg) {
  const figure = document.getElementById("figure");
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#figure rect") ? document.activeElement.dataset.cell : null;
  figure.innerHTML = svg.replace(/^<\?xml[^>]*>\s*/, "");
  applyZoom();
  const outputs = figure.querySelectorAll('rect[data-grid="output"]');
  // Each output cell is a keyboard stop (for layers small enough to tab through).
  if (outputs.length <= 400) {
    for (const rect of outputs) {
      rect.setAttribute("tabindex", "0");
      rect.setAttribute("role", "button");
      rect.setAttribute("aria-label", `output (${rect.dataset.cell})`);
    }
  }
  if (focused) { const again = figure.querySelector(`rect[data-grid="output"][data-cell="${focused}"]`); if (again) again.focus(); }
  const [low, high] = frameRange();
  document.getElementById("frame-label").textContent = `frame ${state.frame - low + 1} of ${high - low}` + (high - low !== state.frames ? ` (of ${state.frames} in all)` : "");
  applyHighlight();
}

// Scales the figure: to the space it has — the box's width and most of the window's height, up to 4× its
// drawn size — or by the chosen factor.
function applyZoom() {
  const svg = document.querySelector("#figure svg");
  if (!svg) return;
  const width = Number(svg.getAttribute("width")), height = Number(svg.getAttribute("height"));
  if (!width || !height) return;
  const available = document.getElementById("figure").clientWidth - 2;
  const tall = Math.max(320, window.innerHeight * 0.85);
  const scale = state.zoom === "fit" ? Math.max(0.1, Math.min(4, available / width, Math.max(1, tall / height))) : state.zoom;
  svg.style.width = `${Math.round(width * scale)}px`;
  svg.style.height = `${Math.round(height * scale)}px`;
  document.getElementById("zoom-fit").setAttribute("aria-pressed", String(state.zoom === "fit"));
}

function currentScale() {
  const svg = document.querySelector("#figure svg");
  return svg ? svg.getBoundingClientRect().width / Number(svg.getAttribute("width")) : 1;
}

document.getElementById("zoom-fit").addEventListener("click", () => { state.zoom = "fit"; applyZoom(); });
document.getElementById("zoom-in").addEventListener("click", () => { state.zoom = Math.min(8, currentScale() * 1.25); applyZoom(); });
document.getElementById("zoom-out").addEventListener("click", () => { state.zoom = Math.max(0.1, currentScale() / 1.25); applyZoom(); });
window.addEventListener("resize", () => { if (state.zoom === "fit") applyZoom(); });

function flatIndex(coordinates, sizes) {
  let flat = 0;
  for (let axis = 0; axis < sizes.length; axis++) {
    if (coordinates[axis] < 0 || coordinates[axis] >= sizes[axis]) return -1;
    flat = flat * sizes[axis] + coordinates[axis];
  }
  return coordinates.length === sizes.length ? flat : -1;
}

function coordinatesOf(flat, sizes) {
  const coordinates = new Array(sizes.length);
  for (let axis = sizes.length - 1; axis >= 0; axis--) { coordinates[axis] = flat % sizes[axis]; flat = Math.floor(flat / sizes[axis]); }
  return coordinates;
}

function rectOf(grid, coordinates) {
  return document.querySelector(`#figure rect[data-grid="${grid}"][data-cell="${coordinates.join(",")}"]`);
}

// Marks the cells an output reads (and each one's kernel tap), or the outputs a cell feeds.
function applyHighlight() {
  const figure = document.getElementById("figure");
  for (const rect of figure.querySelectorAll("rect.linked, rect.pointed")) rect.classList.remove("linked", "pointed");
  const status = document.getElementById("highlight-status");
  const target = state.pointed || state.pinned;
  const answer = state.footprints;
  if (!target || !answer) { status.replaceChildren(); return; }
  const pointedRect = rectOf(target.grid, target.coordinates);
  if (pointedRect) pointedRect.classList.add("pointed");
  const kernel = answer.kernel;
  const pooling = form.elements.op.value === "pool", transposed = form.elements.op.value === "transposed";
  // A transposed convolution is drawn as its equivalent convolution, whose weight at tap t is w(k − 1 − t).
  const weightName = (taps) => `w(${(transposed ? taps.map((t, axis) => kernel[axis] - 1 - t) : taps).join(", ")})`;
  if (target.grid === "output") {
    const frame = flatIndex(target.coordinates, answer.output_sizes);
    if (frame < 0) { status.textContent = `The output has no cell (${target.coordinates.join(", ")}).`; return; }
    const cells = answer.footprints[frame];
    const pairs = [];
    cells.forEach((flat, tap) => {
      if (flat < 0) return;
      const cell = coordinatesOf(flat, answer.grid_sizes), taps = coordinatesOf(tap, kernel);
      pairs.push(pooling ? `(${cell.join(", ")})` : `(${cell.join(", ")})·${weightName(taps)}`);
      const rect = rectOf("input", cell);
      if (rect) { rect.classList.add("linked"); rect.dataset.tap = taps.join(","); }
    });
    const outside = cells.length - pairs.length;
    status.textContent = `Output (${target.coordinates.join(", ")}) is computed from ${pairs.length} cells of the input grid, one per kernel tap` +
      (outside ? ` (${outside} taps fall past the padded input and are skipped)` : "") + ": " +
      (pooling ? `the ${form.elements.mode.value === "avg" ? "average" : "maximum"} of ` : "") +
      pairs.slice(0, 16).join(pooling ? ", " : " + ") + (pairs.length > 16 ? ", …" : "") + ".";
  } else {
    const flat = flatIndex(target.coordinates, answer.grid_sizes);
    const fed = [];
    answer.footprints.forEach((cells, frame) => {
      const tap = cells.indexOf(flat);
      if (tap >= 0) fed.push([coordinatesOf(frame, answer.output_sizes), coordinatesOf(tap, kernel)]);
    });
    for (const [output] of fed) { const rect = rectOf("output", output); if (rect) rect.classList.add("linked"); }
    status.textContent = fed.length === 0
      ? `Input-grid cell (${target.coordinates.join(", ")}) feeds no output: no window covers it.`
      : `Input-grid cell (${target.coordinates.join(", ")}) feeds ${fed.length} output${fed.length === 1 ? "" : "s"}: ` +
        fed.slice(0, 12).map(([output, tap]) => pooling ? `(${output.join(", ")})` : `(${output.join(", ")}) through ${weightName(tap)}`).join("; ") + (fed.length > 12 ? "; …" : "") + ".";
  }
}

function cellTarget(element) {
  const rect = element && element.closest ? element.closest("#figure rect[data-grid]") : null;
  return rect ? { grid: rect.dataset.grid, coordinates: parseCell(rect.dataset.cell) } : null;
}

const figure = document.getElementById("figure");
// Pointing (or focusing) a cell holds the animation; an output shows its own frame, so the kernel's shadow
// and the cells it reads are the same ones. Leaving the figure lets the animation go on from there.
function point(target) {
  const same = state.pointed && state.pointed.grid === target.grid && state.pointed.coordinates.join(",") === target.coordinates.join(",");
  state.pointed = target;
  restartTimer();
  if (!same && target.grid === "output" && state.footprints) {
    const frame = flatIndex(target.coordinates, state.footprints.output_sizes);
    if (frame >= 0 && frame !== state.frame) {
      state.frame = frame;
      drawFrame(layerQuery(), state.generation);
      return;
    }
  }
  applyHighlight();
}
function unpoint() { state.pointed = null; applyHighlight(); restartTimer(); }
figure.addEventListener("mouseover", (event) => { const target = cellTarget(event.target); if (target) point(target); });
figure.addEventListener("mouseleave", unpoint);
figure.addEventListener("focusin", (event) => { const target = cellTarget(event.target); if (target) point(target); });
figure.addEventListener("focusout", (event) => { if (!figure.contains(event.relatedTarget)) unpoint(); });
figure.addEventListener("click", (event) => { const target = cellTarget(event.target); if (target && target.grid === "output") pin(target); });
figure.addEventListener("keydown", (event) => {
  const target = cellTarget(event.target);
  if (!target || target.grid !== "output" || (event.key !== "Enter" && event.key !== " ")) return;
  event.preventDefault();
  event.stopPropagation();
  pin(target);
});

// Pins an output (or unpins it) and shows its frame, the animation paused.
function pin(target) {
  const same = state.pinned && state.pinned.coordinates.join(",") === target.coordinates.join(",");
  state.pinned = same ? null : { grid: "output", coordinates: target.coordinates };
  history.replaceState(null, "", "?" + addressQuery().toString());
  if (!state.pinned || !state.footprints) { applyHighlight(); return; }
  state.playing = false;
  restartTimer();
  state.frame = flatIndex(target.coordinates, state.footprints.output_sizes);
  drawFrame(layerQuery(), state.generation);
}

// ---- The player ---------------------------------------------------------------------------------------

function restartTimer() {
  clearInterval(state.timer);
  state.timer = null;
  document.getElementById("play").textContent = state.playing ? "Pause" : "Play";
  // Held while a cell is pointed at: the figure under the pointer stays still.
  if (!state.playing || state.frames < 2 || state.pointed) return;
  const perSecond = Number(document.getElementById("speed").value);
  state.timer = setInterval(() => step(1), 1000 / perSecond);
}

function step(delta) {
  if (state.frames === 0) return;
  const [low, high] = frameRange();
  const count = high - low;
  state.frame = low + ((clampToSlice(state.frame) - low + delta) % count + count) % count;
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
  if (event.key === " " && !event.target.closest("button")) { event.preventDefault(); state.playing = !state.playing; restartTimer(); }
});
form.elements.slice.addEventListener("change", () => {
  state.frame = clampToSlice(state.frame);
  history.replaceState(null, "", "?" + addressQuery().toString());
  drawFrame(layerQuery(), state.generation);
});
// The rank menu rewrites the input's sizes (kept where they exist, the last repeated); typing sizes sets it.
function syncRank() {
  const parts = form.elements.input.value.split(/[x,×]/).filter((part) => part.trim() !== "");
  if (parts.length >= 1 && parts.length <= 3) form.elements.rank.value = String(parts.length);
}
form.elements.rank.addEventListener("change", () => {
  const parts = form.elements.input.value.split(/[x,×]/).map((part) => part.trim()).filter((part) => part !== "");
  const rank = Number(form.elements.rank.value);
  const sizes = [];
  for (let axis = 0; axis < rank; axis++) sizes.push(parts[Math.min(axis, parts.length - 1)] || "5");
  form.elements.input.value = sizes.join("x");
});
form.elements.input.addEventListener("input", syncRank);

// Typing waits for a short pause; a choice from a list, a checkbox or a menu redraws at once.
let pending = null;
form.addEventListener("input", (event) => {
  if (event.target.name === "slice") return;
  clearTimeout(pending);
  const typing = event.target.tagName === "INPUT" && event.target.type !== "checkbox" && event.inputType !== "insertReplacementText" && event.inputType !== undefined;
  pending = setTimeout(() => { state.frame = 0; state.pinned = null; update(); }, typing ? 60 : 0);
});
form.addEventListener("submit", (event) => event.preventDefault());

readAddress();
syncRank();
if (new URLSearchParams(location.search).has("paused") || state.pinned) state.playing = false;
update().then(() => {
  if (state.pinned && state.footprints) {
    const frame = flatIndex(state.pinned.coordinates, state.footprints.output_sizes);
    if (frame >= 0) { state.frame = frame; drawFrame(layerQuery(), state.generation); }
  }
});
