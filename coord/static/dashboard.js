// The backbone's dashboard: reads the reports with the session cookie (a server-side session id) and follows the live counts stream.
"use strict";

const API = "/api/v1";
// Population names as the page (the server) writes them: id "label-<population>".
const LABELS = Object.fromEntries([...document.querySelectorAll(".count .label[id^='label-']")]
  .map((node) => [node.id.slice("label-".length), node.textContent]));
const CUTS = {race_ethnicity: "Race/ethnicity", sex: "Sex", age_band: "Age band", population: "Population"};
const GAP_COLUMNS = [["month", "Month"], ["to_service", "To service"], ["from_stage", "From stage"],
  ["episodes", "Episodes"], ["picked_up", "Picked up"], ["gaps", "Gaps"], ["gap_rate", "Gap rate"],
  ["censored", "Censored"], ["p50_days_to_acceptance", "Median days"], ["stale", "Stale"]];
const REVISED = "revised since submitted";
// Stage names as the page writes them: id "stage-<stage>" (only when the partnership runs the path).
const STAGES = Object.fromEntries([...document.querySelectorAll(".count .label[id^='stage-']")]
  .map((node) => [node.id.slice("stage-".length), node.textContent]));

async function getJSON(path) {
  const response = await fetch(API + path, {credentials: "same-origin", headers: {Accept: "application/json"}});
  if (response.status === 401 || response.status === 403) {
    window.location.assign("/dashboard");  // the session ended: sign in again
    throw new Error("signed out");
  }
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== "") node.textContent = text;
  return node;
}

function svg(tag, attributes = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function showCounts(report) {
  for (const row of report.rows) {
    const cell = document.getElementById(`count-${row.population}`);
    if (cell) cell.textContent = row.active.toLocaleString();
  }
}

// The notice the server wrote (hidden when the counts are fresh): `stale` is {since, behind} or null.
function showStale(stale) {
  const notice = document.querySelector("#stale-notice .stale");
  if (stale === null) {
    notice.hidden = true;
    return;
  }
  const since = document.getElementById("stale-since");
  const text = {since: stale.since.slice(11, 16), behind: stale.behind.toLocaleString(),
                noun: stale.behind === 1 ? "event" : "events"};
  // Only what changed, so that a screen reader does not hear the notice again at every heartbeat.
  if (since.dateTime !== stale.since) {
    since.dateTime = stale.since;
    since.textContent = text.since;
  }
  for (const name of ["behind", "noun"]) {
    const node = document.getElementById(`stale-${name}`);
    if (node.textContent !== text[name]) node.textContent = text[name];
  }
  notice.hidden = false;
}

function followCounts() {
  const state = document.getElementById("live-state");
  const source = new EventSource(`${API}/stream`);
  source.addEventListener("counts", (event) => {
    const report = JSON.parse(event.data);
    showCounts(report);
    if (report.stale_since === null) {
      showStale(null);
      state.textContent = "live";
      state.dataset.state = "live";
    }  // else an `event: stale` follows at once
  });
  source.addEventListener("stale", (event) => {
    showStale(JSON.parse(event.data));
    state.textContent = "stale";
    state.dataset.state = "stale";
  });
  source.addEventListener("error", () => {
    // A refused reconnection (the session ended: signed out, expired or its token revoked) closes the source.
    if (source.readyState === EventSource.CLOSED) {
      window.location.assign("/dashboard");
      return;
    }
    state.textContent = "reconnecting…";
    state.dataset.state = "reconnecting";
  });
}

function chart(population, rows) {
  const width = 360, height = 170, left = 28, bottom = 22, top = 8;
  const most = Math.max(1, ...rows.flatMap((r) => [r.inflow, r.outflow]));
  const step = (width - left) / rows.length, bar = Math.max(2, step / 2 - 2);
  const y = (value) => top + (height - top - bottom) * (1 - value / most);
  const summary = rows.map((r) => `${r.month}: ${r.inflow} in, ${r.outflow} out${r.revised ? ` (${REVISED})` : ""}`)
    .join("; ");
  const figure = element("figure", {class: "chart"});
  const id = `chart-${population}`;
  const image = svg("svg", {viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title`});
  const title = svg("title", {id: `${id}-title`});
  title.textContent = `${LABELS[population]}: inflow and outflow per month. ${summary}`;
  image.append(title, svg("line", {x1: left, x2: width, y1: y(0), y2: y(0), class: "axis"}));
  const scale = svg("text", {x: 0, y: top + 8, class: "tick"});
  scale.textContent = String(most);
  image.append(scale);
  rows.forEach((row, i) => {
    const x = left + i * step;
    image.append(svg("rect", {x, y: y(row.inflow), width: bar, height: y(0) - y(row.inflow), class: "inflow"}));
    image.append(svg("rect", {x: x + bar + 1, y: y(row.outflow), width: bar, height: y(0) - y(row.outflow),
                              class: "outflow"}));
    if (row.revised) image.append(revisedMark(row.month, x + bar, top / 2));
    if (i % 3 === 0) {
      const tick = svg("text", {x, y: height - 6, class: "tick"});
      tick.textContent = row.month.slice(2);
      image.append(tick);
    }
  });
  figure.append(image, element("figcaption", {}, LABELS[population]));
  return figure;
}

// A month whose metrics changed after it was closed (a back-dated event): what was submitted differs.
function revisedMark(month, x, y) {
  const mark = svg("circle", {cx: x, cy: y, r: 3, class: "revised", "data-month": month});
  const title = svg("title");
  title.textContent = `${month}: ${REVISED}`;
  mark.append(title);
  return mark;
}

async function showFlows() {
  const report = await getJSON("/reports/monthly?revisions=true");
  const charts = document.getElementById("charts");
  charts.replaceChildren();
  for (const population of Object.keys(LABELS)) {
    charts.append(chart(population, report.rows.filter((r) => r.population === population)));
  }
  const legend = element("p", {class: "legend"});
  legend.append(element("span", {class: "key inflow"}, "inflow"), " ", element("span", {class: "key outflow"}, "outflow"),
                " ", element("span", {class: "key revised"}, REVISED));
  charts.append(legend);
}

async function showFunctionalZero() {
  const report = await getJSON("/reports/functional-zero");
  document.getElementById("fz-month").textContent = `(${report.month})`;
  const list = document.getElementById("fz");
  list.replaceChildren();
  for (const row of report.rows) {
    const badge = element("li", {class: `badge ${row.reached ? "reached" : "not-reached"}`,
                                 "data-population": row.population});
    badge.append(element("span", {class: "label"}, LABELS[row.population]),
                 element("strong", {}, row.reached ? "reached" : "not reached"),
                 element("span", {class: "detail"},
                         `${row.actively_homeless} active, threshold ${row.threshold}, streak ${row.streak}`));
    list.append(badge);
  }
}

function cell(row, name) {
  if ((row.suppressed || []).includes(name)) {
    return element("td", {class: "suppressed", title: "hidden: a small count"}, "•");
  }
  const value = row[name];
  if (value === null || value === undefined) return element("td", {}, "–");
  if (name === "gap_rate") return element("td", {}, percent(value));
  return element("td", {}, String(value));
}

async function showGaps() {
  const by = document.getElementById("gap-cut").value;
  const now = new Date(), from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  const query = new URLSearchParams({from: from.toISOString().slice(0, 7)});
  if (by) query.set("by", by);
  const report = await getJSON(`/reports/handoff-gaps?${query}`);
  const columns = by ? [...GAP_COLUMNS.slice(0, 3), [by, CUTS[by]], ...GAP_COLUMNS.slice(3)] : GAP_COLUMNS;
  const table = document.getElementById("gaps");
  const head = element("tr");
  for (const [, label] of columns) head.append(element("th", {scope: "col"}, label));
  table.tHead.replaceChildren(head);
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const row of report.rows) {
    const line = element("tr");
    for (const [name] of columns) line.append(cell(row, name));
    body.append(line);
  }
  if (!report.rows.length) {
    const line = element("tr");
    line.append(element("td", {colspan: columns.length}, "No handoffs in these months."));
    body.append(line);
  }
}

function percent(value) {
  return value === null ? "–" : `${Math.round(value * 100)}%`;
}

// Handed on and picked up per pair of stages, as bars; the table below holds the same numbers for reading.
function funnelChart(rows) {
  const width = 400, label = 16, barHeight = 12, gap = 10, right = 30;
  const step = label + 2 * barHeight + gap, height = rows.length * step;
  const most = Math.max(1, ...rows.map((r) => r.handed_on));
  const x = (value) => (width - right) * value / most;
  const summary = rows.map((r) => `${STAGES[r.stage]} to ${STAGES[r.next_stage]}: ${r.handed_on} handed on, ` +
    `${r.picked_up} picked up`).join("; ");
  const figure = element("figure", {class: "chart"});
  const image = svg("svg", {viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "funnel-title"});
  const title = svg("title", {id: "funnel-title"});
  title.textContent = `Handed on from each stage and picked up at the next. ${summary}`;
  image.append(title);
  rows.forEach((row, i) => {
    const y = i * step;
    const name = svg("text", {x: 0, y: y + label - 4, class: "stage-name"});
    name.textContent = `${STAGES[row.stage]} → ${STAGES[row.next_stage]}`;
    image.append(name);
    for (const [kind, offset] of [["handed_on", label], ["picked_up", label + barHeight]]) {
      image.append(svg("rect", {x: 0, y: y + offset, width: x(row[kind]), height: barHeight - 2,
                                class: kind.replace("_", "-"), "data-stage": row.stage}));
      const value = svg("text", {x: x(row[kind]) + 4, y: y + offset + barHeight - 3, class: "tick"});
      value.textContent = String(row[kind]);
      image.append(value);
    }
  });
  const legend = element("p", {class: "legend"});
  legend.append(element("span", {class: "key handed-on"}, "handed on"), " ",
                element("span", {class: "key picked-up"}, "picked up at the next stage"));
  figure.append(image, legend);
  return figure;
}

async function showPathway() {
  const report = await getJSON("/reports/pathway");
  document.getElementById("served-on").textContent = `(${report.as_of})`;
  for (const row of report.rows) document.getElementById(`served-${row.stage}`).textContent = row.served.toLocaleString();
  const pairs = report.rows.filter((row) => row.next_stage !== null);
  document.getElementById("funnel-chart").replaceChildren(funnelChart(pairs));
  const body = document.querySelector("#funnel tbody");
  body.replaceChildren();
  for (const row of pairs) {
    const line = element("tr", {"data-stage": row.stage});
    line.append(element("th", {scope: "row"}, STAGES[row.stage]), element("td", {}, STAGES[row.next_stage]));
    for (const name of ["handed_on", "picked_up", "gaps", "censored"]) line.append(element("td", {}, String(row[name])));
    line.append(element("td", {}, percent(row.pickup_rate)));
    body.append(line);
  }
}

document.getElementById("gap-cut").addEventListener("change", () => showGaps());
// Each view is in the page only when the partnership runs its path (coord/dashboard.py).
const views = [showGaps()];
if (document.getElementById("live-state")) {
  followCounts();
  views.push(showFunctionalZero(), showFlows());
}
if (document.getElementById("pathway")) views.push(showPathway());
Promise.all(views).catch((error) => console.error(error));
