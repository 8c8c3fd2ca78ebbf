// The convarith network page: a model (an example, a file given to `convarith serve`, or one chosen here
// and sent to the server) and an input shape, both in the address; the shape table from /api/net, the
// accepted input sizes and the repairs of a failing size from /api/net/solve, and a unit's receptive field
// from /api/net/field. Nothing is computed here: every number comes from the API.
"use strict";

const form = document.getElementById("network-controls");
const state = { file: null, report: null, picked: null, unit: null, generation: 0, models: [] };

// ---- The address and the API -------------------------------------------------------------------------

function readAddress() {
  const query = new URLSearchParams(location.search);
  if (query.has("input")) form.elements.input.value = query.get("input");
  if (query.has("layer")) state.picked = query.get("layer");
  if (query.has("unit")) state.unit = query.get("unit").split(",").map(Number).filter((value) => Number.isInteger(value) && value >= 0);
  return query.get("model");
}

function writeAddress() {
  // A model sent from this browser cannot be shared by its address: the address then names nothing.
  if (state.file) { history.replaceState(null, "", location.pathname); return; }
  const query = new URLSearchParams();
  if (!state.file) query.set("model", form.elements.model.value);
  if (form.elements.input.value.trim()) query.set("input", form.elements.input.value.trim());
  if (state.picked) query.set("layer", state.picked);
  if (state.picked && state.unit) query.set("unit", state.unit.join(","));
  history.replaceState(null, "", "?" + query.toString());
}

// A question about the current network: GET with the model's name, or POST with the file chosen.
async function ask(path, fields = {}) {
  const query = new URLSearchParams();
  if (state.file) query.set("name", state.file.name); else query.set("model", form.elements.model.value);
  const input = form.elements.input.value.trim();
  if (input) query.set("input", input);
  for (const [name, value] of Object.entries(fields)) query.set(name, value);
  const response = state.file
    ? await fetch(path + "?" + query.toString(), { method: "POST", body: state.file })
    : await fetch(path + "?" + query.toString());
  const body = (response.headers.get("content-type") || "").includes("json") ? await response.json() : { error: await response.text() };
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function showError(message) {
  const error = document.getElementById("error");
  error.hidden = !message;
  error.textContent = message || "";
}

function element(tag, content, className) {
  const node = document.createElement(tag);
  if (content !== undefined && content !== null) node.textContent = content;
  if (className) node.className = className;
  return node;
}

const shapeText = (shape) => (shape ? shape.join("×") : "?");
const perAxis = (values) => (values ? values.map((value) => (value === null ? "?" : String(value))).join("×") : "");

// ---- One analysis: the table first (fast), then the sizes and repairs -------------------------------------

async function analyse() {
  const generation = ++state.generation;
  writeAddress();
  showError("");
  document.getElementById("summary").textContent = "Analysing…";
  try {
    const report = await ask("/api/net");
    if (generation !== state.generation) return;
    state.report = report;
    if (report.inputs[0] && report.inputs[0].shape) form.elements.input.placeholder = report.inputs[0].shape.join("x");
    // A layer of the address that this model does not have is dropped (the address then names only what is shown).
    if (state.picked && !report.layers.some((layer) => layer.name === state.picked)) { state.picked = null; state.unit = null; writeAddress(); }
    renderSummary(report);
    renderTable(report);
    document.body.dataset.status = report.status;
    if (state.picked && report.layers.some((layer) => layer.name === state.picked)) await renderField(generation);
    else document.getElementById("field-section").hidden = true;
    document.body.dataset.redraws = String(Number(document.body.dataset.redraws || 0) + 1);
    await solve(generation);
    // Scripts (and tests) wait for this count: every answer of this analysis is shown.
    if (generation === state.generation) document.body.dataset.solved = String(Number(document.body.dataset.solved || 0) + 1);
  } catch (error) {
    if (generation !== state.generation) return;
    state.report = null;
    showError(error.message);
    document.getElementById("summary").textContent = "";
    form.elements.input.placeholder = "1x3x224x224";
    for (const id of ["table", "accepted", "repairs", "field-figure", "field-layer", "unit-inputs", "field-text"]) document.getElementById(id).replaceChildren();
    document.getElementById("field-section").hidden = true;
    document.body.dataset.status = "error";
    document.body.dataset.redraws = String(Number(document.body.dataset.redraws || 0) + 1);
    document.body.dataset.solved = String(Number(document.body.dataset.solved || 0) + 1);
  }
}

function renderSummary(report) {
  const inputs = report.inputs.map((input) => `${input.name} = ${shapeText(input.shape)}`).join(", ");
  const parts = [`${report.name || "network"}: ${report.layers.length} nodes; ${report.inputs.length === 1 ? "input" : "inputs"} ${inputs}`];
  if (report.total_parameters !== null) parts.push(`${report.total_parameters.toLocaleString("en")} parameters`);
  if (report.total_multiply_adds !== null) parts.push(`${report.total_multiply_adds.toLocaleString("en")} multiply-adds`);
  const summary = document.getElementById("summary");
  summary.textContent = parts.join("; ") + ".";
  if (report.first_failure) {
    summary.append(" ", element("strong", `Fails at ${report.first_failure.name}: ${report.first_failure.error}`));
  } else if (report.first_unknown) {
    summary.append(" ", element("span", `Unknown from ${report.first_unknown.name}: ${report.first_unknown.reason}`));
  }
}

// ---- The table ----------------------------------------------------------------------------------------

const columns = [
  ["name", "layer"], ["op", "op"], ["input", "input"], ["output", "output"], ["kernel", "k"], ["stride", "s"],
  ["padding", "p"], ["dilation", "d"], ["groups", "g"], ["parameters", "params"], ["multiply_adds", "mult-adds"],
  ["receptive_field", "RF"], ["jump", "jump"], ["why", "why"],
];

function cellText(layer, key) {
  switch (key) {
    case "op": return layer.op;
    case "input": return shapeText(layer.input_shape);
    case "output": return layer.output_shape ? shapeText(layer.output_shape) : "—";
    case "kernel": case "stride": case "dilation": return layer[key] ? layer[key].join("×") : "";
    case "padding": return layer.padding ? layer.padding.map(([before, after]) => (before === after ? String(before) : `${before}:${after}`)).join("×") : "";
    case "groups": return layer.groups !== undefined && layer.groups !== 1 ? String(layer.groups) : "";
    case "parameters": case "multiply_adds": return layer[key] !== undefined ? layer[key].toLocaleString("en") : "";
    case "receptive_field": return perAxis(layer.receptive_field);
    case "jump": return perAxis(layer.jump);
    case "why": return layer.error || layer.note || "";
    default: return "";
  }
}

function renderTable(report) {
  const table = document.getElementById("table");
  const head = element("tr");
  for (const [key, title] of columns) head.append(element("th", title, key === "name" ? "name" : ""));
  const rows = [element("thead"), element("tbody")];
  rows[0].append(head);
  for (const layer of report.layers) {
    const row = element("tr");
    row.dataset.name = layer.name;
    if (layer.error) row.className = "failed"; else if (!layer.output_shape) row.className = "unknown";
    if (layer.name === state.picked) row.classList.add("picked");
    for (const [key] of columns) {
      if (key === "name") {
        const cell = element("td", null, "name");
        cell.append(element("span", layer.name));
        if (layer.view) {
          const link = element("a", "open");
          link.href = "/?" + layer.view;
          link.setAttribute("aria-label", `open ${layer.name} in the single-layer view`);
          cell.append(" ", link);
        }
        if (hasField(layer)) {
          const pick = element("button", "field");
          pick.type = "button";
          pick.setAttribute("aria-label", `draw the receptive field of a unit of ${layer.name}`);
          pick.addEventListener("click", () => pickLayer(layer.name));
          cell.append(" ", pick);
        }
        row.append(cell);
      } else {
        row.append(element("td", cellText(layer, key), key === "why" ? (layer.error ? "reason" : "note") : ""));
      }
    }
    rows[1].append(row);
  }
  table.replaceChildren(...rows);
}

function hasField(layer) {
  return layer.output_shape && layer.output_shape.length >= 3 && Array.isArray(layer.receptive_field)
    && state.report.inputs[0] && state.report.inputs[0].shape && layer.output_shape.length === state.report.inputs[0].shape.length;
}

// ---- Accepted sizes and repairs ------------------------------------------------------------------------

async function solve(generation) {
  const list = document.getElementById("accepted");
  const repairs = document.getElementById("repairs");
  list.replaceChildren(element("li", "Solving…"));
  repairs.replaceChildren();
  let answer;
  try {
    answer = await ask("/api/net/solve");
  } catch (error) {
    if (generation === state.generation) list.replaceChildren(element("li", "Not solved: " + error.message));
    return;
  }
  if (generation !== state.generation) return;
  const axisNames = ["N", "C", "H", "W"];
  list.replaceChildren(...answer.accepted_sizes.map((axis) => {
    const item = element("li");
    const name = state.report.inputs[0].shape.length === 4 ? axisNames[axis.axis] : `axis ${axis.axis}`;
    item.append(element("strong", `${name}: `), `${axis.rule}. `);
    item.dataset.axis = String(axis.axis);
    if (axis.accepted) {
      item.append(`${axis.given} is accepted.`);
    } else {
      item.append(`${axis.given} is not; nearest: `);
      for (const size of [axis.nearest_below, axis.nearest_above]) {
        if (size === null) continue;
        const button = element("button", String(size));
        button.type = "button";
        button.setAttribute("aria-label", `use ${size} for ${name}`);
        button.addEventListener("click", () => useSize(axis.axis, size));
        item.append(button, " ");
      }
    }
    if (axis.evaluated_up_to < 1024) item.append(element("span", ` (evaluated up to ${axis.evaluated_up_to})`, "hint-inline"));
    return item;
  }));
  if (answer.first_failure) {
    repairs.append(element("p", `At this size ${answer.first_failure.name} fails. ` + (answer.repairs.length
      ? "Changes of one layer that repair it:" : "No change of one layer's padding, output padding or ceil mode repairs it; use an accepted size.")));
    const items = element("ul");
    items.id = "repair-list";
    for (const repair of answer.repairs) {
      const item = element("li", repair.text + " ");
      const layer = state.report.layers.find((row) => row.name === repair.node);
      if (layer && layer.view) {
        const link = element("a", "open the layer");
        link.href = "/?" + layer.view;
        item.append(link);
      }
      items.append(item);
    }
    repairs.append(items);
  }
}

function useSize(axis, size) {
  const shape = (form.elements.input.value.trim() || form.elements.input.placeholder).split(/[x×]/).map(Number);
  if (shape.length <= axis) return;
  shape[axis] = size;
  form.elements.input.value = shape.join("x");
  state.unit = null;  // the output's size changes: the picked layer's middle unit is asked for again
  analyse();
}

// ---- A unit's receptive field -----------------------------------------------------------------------------

function pickLayer(name) {
  state.picked = name;
  state.unit = null;
  for (const row of document.querySelectorAll("#table tr")) row.classList.toggle("picked", row.dataset.name === name);
  writeAddress();
  renderField(state.generation);
}

async function renderField(generation) {
  const section = document.getElementById("field-section");
  const fields = { layer: state.picked };
  if (state.unit) fields.unit = state.unit.join(",");
  let answer;
  try {
    answer = await ask("/api/net/field", fields);
  } catch (error) {
    if (generation !== state.generation) return;
    section.hidden = false;
    document.getElementById("field-text").textContent = error.message;
    document.getElementById("field-figure").replaceChildren();
    return;
  }
  if (generation !== state.generation) return;
  section.hidden = false;
  state.unit = answer.unit;
  writeAddress();
  document.getElementById("field-layer").textContent = `${answer.layer}, output ${answer.output.join("×")}: unit`;
  const inputs = document.getElementById("unit-inputs");
  inputs.replaceChildren(...answer.unit.map((value, axis) => {
    const control = element("input");
    control.type = "number";
    control.min = "0";
    control.max = String(answer.output[axis] - 1);
    control.value = String(value);
    control.setAttribute("aria-label", `unit coordinate on spatial axis ${axis + 1}`);
    control.addEventListener("change", () => {
      state.unit = [...inputs.querySelectorAll("input")].map((box) => Math.max(0, parseInt(box.value, 10) || 0));
      renderField(state.generation);
    });
    return control;
  }));
  const words = answer.axes.map((axis, index) => {
    if (axis.whole) return `axis ${index + 1}: the whole input (0…${axis.input - 1})`;
    if (axis.beyond_range) return `axis ${index + 1}: too large to compute`;
    const inside = axis.inside ? `${axis.inside[0]}…${axis.inside[1]}` : "nothing";
    return `axis ${index + 1}: positions ${axis.first}…${axis.last}, inside the input ${inside} of 0…${axis.input - 1}`;
  });
  document.getElementById("field-text").textContent = `Unit (${answer.unit.join(", ")}) reads ` + words.join("; ") + ".";
  drawField(answer);
}

// The input grid (one row for a 1-D input; the first two spatial axes otherwise) with the window: the part
// inside the input filled, the whole window (padding included) outlined.
function drawField(answer) {
  const svgNS = "http://www.w3.org/2000/svg";
  const axes = answer.axes.slice(0, 2);
  const sizes = axes.map((axis) => axis.input);
  const rows = sizes.length === 2 ? sizes[0] : 1, columns = sizes.length === 2 ? sizes[1] : sizes[0];
  const span = (axis, size) => (axis.beyond_range ? [0, size - 1] : axis.whole ? [0, size - 1] : [axis.first, axis.last]);
  const [rowSpan, columnSpan] = sizes.length === 2 ? [span(axes[0], rows), span(axes[1], columns)] : [[0, 0], span(axes[0], columns)];
  const low = [Math.min(0, rowSpan[0]), Math.min(0, columnSpan[0])];
  const high = [Math.max(rows - 1, rowSpan[1]), Math.max(columns - 1, columnSpan[1])];
  const cell = Math.max(1, Math.min(24, Math.floor(480 / Math.max(high[0] - low[0] + 1, high[1] - low[1] + 1))));
  // A 1-D input is one row, drawn 24 px high whatever its cells' width.
  const rowHeight = sizes.length === 2 ? cell : Math.max(cell, 24);
  const x = (column) => (column - low[1]) * cell + 1, y = (row) => (row - low[0]) * rowHeight + 1;
  const svg = document.createElementNS(svgNS, "svg");
  const width = (high[1] - low[1] + 1) * cell + 2, height = (high[0] - low[0] + 1) * rowHeight + 2;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  const rect = (left, top, w, h, attributes) => {
    const shape = document.createElementNS(svgNS, "rect");
    for (const [name, value] of Object.entries({ x: left, y: top, width: Math.max(w, 1), height: Math.max(h, 1), ...attributes })) shape.setAttribute(name, String(value));
    svg.append(shape);
    return shape;
  };
  rect(x(0), y(0), columns * cell, rows * rowHeight, { fill: "#dbe6f4", stroke: "#3b6fb6", "data-role": "input" });
  if (cell >= 6) {
    for (let column = 1; column < columns; column++) rect(x(column), y(0), 0.5, rows * rowHeight, { fill: "#3b6fb6", opacity: 0.25 });
    for (let row = 1; row < rows; row++) rect(x(0), y(row), columns * cell, 0.5, { fill: "#3b6fb6", opacity: 0.25 });
  }
  const inside = (axis, size) => (axis.beyond_range ? null : axis.inside);
  const insideRows = sizes.length === 2 ? inside(axes[0], rows) : [0, 0];
  const insideColumns = inside(sizes.length === 2 ? axes[1] : axes[0], columns);
  if (insideRows && insideColumns) {
    rect(x(insideColumns[0]), y(insideRows[0]), (insideColumns[1] - insideColumns[0] + 1) * cell, (insideRows[1] - insideRows[0] + 1) * rowHeight,
      { fill: "#2fa4b8", opacity: 0.65, "data-role": "field" });
  }
  rect(x(columnSpan[0]), y(rowSpan[0]), (columnSpan[1] - columnSpan[0] + 1) * cell, (rowSpan[1] - rowSpan[0] + 1) * rowHeight,
    { fill: "none", stroke: "#d9822b", "stroke-width": 2, "stroke-dasharray": "6 3", "data-role": "window" });
  const title = document.createElementNS(svgNS, "title");
  title.textContent = document.getElementById("field-text").textContent;
  svg.prepend(title);
  document.getElementById("field-figure").replaceChildren(svg);
}

// ---- Start -------------------------------------------------------------------------------------------

form.addEventListener("submit", (event) => { event.preventDefault(); analyse(); });
function startInput() {
  const entry = state.models.find((model) => model.name === form.elements.model.value);
  form.elements.input.value = entry && entry.input ? entry.input : "";
}

form.elements.model.addEventListener("change", () => {
  state.file = null;
  document.getElementById("upload").value = "";
  startInput();
  state.picked = null;
  state.unit = null;
  analyse();
});
document.getElementById("upload").addEventListener("change", (event) => {
  // A file chosen, or the dialog cancelled: the file, else the model of the list again.
  state.file = event.target.files[0] || null;
  form.elements.input.value = "";
  state.picked = null;
  state.unit = null;
  if (!state.file) startInput();
  analyse();
});

(async () => {
  const wanted = readAddress();
  try {
    const { models } = await (await fetch("/api/net/models")).json();
    state.models = models;
    const select = form.elements.model;
    for (const model of models) select.append(new Option(model.origin === "example" ? `${model.name} (example)` : model.name, model.name));
    if (wanted && models.some((model) => model.name === wanted)) select.value = wanted;
    if (!form.elements.input.value.trim()) startInput();
  } catch (error) {
    showError("The server did not list its models: " + error.message);
    return;
  }
  analyse();
})();
