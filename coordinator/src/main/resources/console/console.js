"use strict";
/*
 * The Cargohold console: plain DOM code over the control API (/api/v1). Views are chosen by the URL's
 * hash (#/repositories, #/repository/<name>, #/image/<name>/<digest>, #/rules, ...). Every request
 * carries the credentials the user signed in with, if any; the control API answers 401 when it needs
 * them, and 403 when a user who is not one of auth.admins asks for more than browsing. The session
 * (who signed in, whether an admin) decides what the page offers; the API decides what it answers.
 */
const API = "/api/v1";
const SUMMARY = API + "/console/summary";
/** Rows per page of every list; the control API pages with maxResults and nextToken. */
const PAGE_SIZE = 50;
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = { cache: "#2e90fa", upstream: "#f79009", hits: "#12b76a", misses: "#f04438" };

// ---------------------------------------------------------------- requests

/** A failed control API call: its status and the API's {field, value, message} errors. */
class ApiError extends Error {
  constructor(status, errors) {
    super(errors.map(e => (e.field ? e.field + ": " : "") + e.message).join("; ") || "status " + status);
    this.status = status;
    this.errors = errors;
  }
}

function credentials() {
  return sessionStorage.getItem("cargohold.credentials");
}

/**
 * Calls the control API. credentials "omit" keeps the browser from answering a 401 with its own
 * password dialog: the console asks with its form and sends the Authorization header itself.
 */
async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (credentials()) headers["Authorization"] = "Basic " + credentials();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path.startsWith("/") ? path : API + "/" + path, {
    method, headers, credentials: "omit", body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = new ApiError(response.status, json.errors || []);
    if (response.status === 401) signIn(error);
    if (response.status === 403) forbidden(error);
    throw error;
  }
  return json;
}

function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "");
  return entries.length ? "?" + entries.map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&") : "";
}

// ---------------------------------------------------------------- formatting

function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n, unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return (unit === 0 ? Math.round(value) : value.toFixed(1)) + " " + units[unit];
}

/** An ISO-8601 time (or epoch milliseconds) in the reader's time zone, to the second. */
function time(value) {
  if (value === null || value === undefined || value === "") return "never";
  const date = new Date(value);
  if (isNaN(date)) return String(value);
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
}

function shortDigest(digest) {
  return digest ? digest.replace(/^(sha256:)?([0-9a-f]{12})[0-9a-f]+$/, "$1$2…") : "";
}

// ---------------------------------------------------------------- DOM helpers

function $(selector) { return document.querySelector(selector); }

function element(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A table cell whose data-value keeps the exact value the text rounds or formats. */
function cell(content, value, numeric) {
  const td = element("td", { className: numeric ? "num" : "" }, content);
  if (value !== undefined && value !== null) td.dataset.value = value;
  return td;
}

function timeCell(value) {
  return cell(element("time", { dateTime: value || "", title: value || "" }, time(value)), value);
}

function fill(selector, rows, key, cells, empty) {
  const body = $(selector + " tbody");
  body.replaceChildren();
  for (const row of rows) {
    const tr = element("tr", { dataset: { key: key(row) } });
    cells(row).forEach(td => tr.appendChild(td));
    body.appendChild(tr);
  }
  if (rows.length === 0 && empty) {
    const columns = $(selector + " thead tr").children.length;
    body.appendChild(element("tr", {}, element("td", { colSpan: columns, className: "muted" }, empty)));
  }
}

function details(selector, pairs) {
  const list = $(selector);
  list.replaceChildren();
  for (const [label, value] of pairs) {
    list.append(element("dt", {}, label), element("dd", { dataset: { field: label } }, value));
  }
}

/**
 * Page buttons for a list paged by nextToken: pages holds the token of every page shown so far
 * (null for the first), the last being the one shown.
 */
function pager(selector, pages, nextToken, load) {
  const box = $(selector);
  box.replaceChildren();
  if (pages.length > 1) {
    box.append(element("button", { type: "button", onclick: () => { pages.pop(); load(); } }, "Previous page"));
  }
  box.append(element("span", { className: "muted" }, "page " + pages.length + (nextToken ? ", more follow" : ", the last")));
  if (nextToken) {
    box.append(element("button", { type: "button", className: "next", onclick: () => { pages.push(nextToken); load(); } },
      "Next page"));
  }
}

function status(text) {
  $("#status").textContent = text;
}

// ---------------------------------------------------------------- forms and field errors

/** The form's fields as a JSON body: blanks left out (or null with keepBlank), lists split at commas. */
function formBody(form, keepBlank) {
  const body = {};
  for (const input of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    if (input.type === "checkbox") { if (input.checked) body[input.name] = true; continue; }
    const value = input.value.trim();
    if (value === "") { if (keepBlank) body[input.name] = null; continue; }
    body[input.name] = input.dataset.list ? value.split(",").map(v => v.trim()).filter(v => v) : value;
  }
  return body;
}

function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach(e => { e.textContent = ""; });
  form.querySelectorAll(".field.invalid").forEach(f => f.classList.remove("invalid"));
}

/**
 * Shows each of the API's errors beside its field: the error's field is the body's key, possibly under
 * the list's name (rules.prefix, rules.platforms[0]) or with a path inside (lifecyclePolicy.rules[0]);
 * errors of no field of the form show above its buttons.
 */
function showErrors(form, error) {
  clearErrors(form);
  const errors = error instanceof ApiError && error.errors.length ? error.errors : [{ message: error.message }];
  for (const e of errors) {
    const name = (e.field || "").replace(/^(rules|templates)\./, "").split(/[.[]/)[0];
    let target = name && form.querySelector("[data-error-for='" + name + "']");
    if (target) target.closest(".field")?.classList.add("invalid");
    else target = form.querySelector(".form-error");
    const text = e.message + (e.value !== null && e.value !== undefined && name ? " (was '" + e.value + "')" : "");
    target.textContent = target.textContent ? target.textContent + "; " + text : text;
  }
}

function fillForm(form, values) {
  form.reset();
  clearErrors(form);
  for (const input of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    const value = values[input.name];
    if (input.type === "checkbox") input.checked = value === true;
    else if (Array.isArray(value)) input.value = value.join(", ");
    else if (value !== null && value !== undefined && typeof value === "object") input.value = JSON.stringify(value, null, 2);
    else input.value = value === null || value === undefined ? "" : value;
  }
}

// ---------------------------------------------------------------- charts

function svgNode(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The chart's width in its own units: the width it is shown at, between 320 and 720, so that its
 * text keeps its size on a phone instead of shrinking with the whole drawing.
 */
function chartWidth(svg) {
  const shown = svg.getBoundingClientRect().width;
  return Math.round(Math.min(720, Math.max(320, shown || 720)));
}

/** Round tick values from 0 to at least max: 1, 2 or 5 times a power of ten (of 1024 for bytes). */
function ticks(max, count, base) {
  const raw = Math.max(max, 1) / count;
  const power = Math.pow(base, Math.floor(Math.log(raw) / Math.log(base)));
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500].map(m => m * power).find(s => s >= raw) || raw;
  const values = [];
  for (let v = 0; v <= max + step * 0.999 && values.length <= count + 1; v += step) values.push(v);
  return values;
}

function legend(svg, x, y, series) {
  let offset = x;
  for (const [key, label] of series) {
    const item = svgNode("g", { class: "legend-item", "data-series": key });
    item.append(svgNode("rect", { x: offset, y: y - 9, width: 12, height: 12, fill: COLOURS[key], rx: 2 }),
      svgNode("text", { x: offset + 17, y: y + 1 }, label));
    svg.append(item);
    offset += 30 + label.length * 6.2;
  }
}

/**
 * Egress as bytes per second between samples: the summary's points are cumulative totals of the
 * cluster, so each rate is the difference of two, over their interval (a node that restarted and
 * counts from zero again gives no negative rate).
 */
function egressChart(points) {
  const svg = $("#egress-chart");
  svg.replaceChildren();
  const width = chartWidth(svg), height = 240, left = 76, right = 16, top = 32, bottom = 30;
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  const rates = [];
  for (let i = 1; i < points.length; i++) {
    const seconds = (points[i].time - points[i - 1].time) / 1000;
    if (seconds <= 0) continue;
    rates.push({ time: points[i].time,
      cache: Math.max(0, points[i].cache - points[i - 1].cache) / seconds,
      upstream: Math.max(0, points[i].upstream - points[i - 1].upstream) / seconds });
  }
  const max = Math.max(1, ...rates.map(r => Math.max(r.cache, r.upstream)));
  const yTicks = ticks(max, 4, max >= 1024 ? 1024 : 10);
  const yMax = yTicks[yTicks.length - 1];
  const t0 = rates.length ? rates[0].time : Date.now() - 60000;
  const t1 = rates.length > 1 ? rates[rates.length - 1].time : t0 + 60000;
  const x = t => left + (t - t0) / (t1 - t0) * (width - left - right);
  const y = v => height - bottom - v / yMax * (height - top - bottom);

  const grid = svgNode("g", { class: "grid" });
  const yAxis = svgNode("g", { class: "axis", "data-axis": "y" });
  for (const v of yTicks) {
    grid.append(svgNode("line", { x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    yAxis.append(svgNode("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, bytes(v) + "/s"));
  }
  yAxis.append(svgNode("line", { x1: left, x2: left, y1: top, y2: height - bottom }));
  const xAxis = svgNode("g", { class: "axis", "data-axis": "x" });
  xAxis.append(svgNode("line", { x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }));
  const labels = width < 600 ? 2 : 4;
  for (let i = 0; i <= labels; i++) {
    const t = t0 + (t1 - t0) * i / labels;
    xAxis.append(svgNode("text", { x: x(t), y: height - bottom + 16, "text-anchor": i === 0 ? "start" : i === labels ? "end" : "middle" },
      new Date(t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })));
  }
  svg.append(grid, yAxis, xAxis);
  // Upstream dashed over cache: where both rates are equal, both lines stay visible.
  for (const key of ["cache", "upstream"]) {
    svg.append(svgNode("polyline", { "data-series": key, fill: "none", stroke: COLOURS[key], "stroke-width": 2,
      "stroke-dasharray": key === "upstream" ? "6 4" : "none",
      points: rates.map(r => x(r.time).toFixed(1) + "," + y(r[key]).toFixed(1)).join(" ") }));
  }
  legend(svg, left, 18, [["cache", "served from the cache"], ["upstream", "fetched from upstreams"]]);
  if (rates.length < 2) {
    svg.append(svgNode("text", { x: (left + width) / 2, y: height / 2, "text-anchor": "middle" },
      "collecting samples (one every 10 s)…"));
  }
}

/** Lookups per rule as stacked horizontal bars of hits and misses, on one axis of counts. */
function lookupsChart(rules) {
  const svg = $("#lookups-chart");
  const row = 24, top = 32, bottom = 28, left = 130, right = 16, width = chartWidth(svg);
  const height = top + bottom + Math.max(1, rules.length) * row;
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.replaceChildren();
  const max = Math.max(1, ...rules.map(r => r.hits + r.misses));
  const xTicks = ticks(max, width < 600 ? 3 : 5, 10);
  const xMax = xTicks[xTicks.length - 1];
  const x = v => left + v / xMax * (width - left - right);
  const axis = svgNode("g", { class: "axis", "data-axis": "x" });
  const grid = svgNode("g", { class: "grid" });
  for (const v of xTicks) {
    grid.append(svgNode("line", { x1: x(v), x2: x(v), y1: top, y2: height - bottom }));
    axis.append(svgNode("text", { x: x(v), y: height - bottom + 16, "text-anchor": "middle" }, v.toLocaleString()));
  }
  axis.append(svgNode("line", { x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }));
  axis.append(svgNode("text", { x: width - right, y: height - 2, "text-anchor": "end" }, "lookups"));
  svg.append(grid, axis);
  rules.forEach((rule, i) => {
    const y = top + i * row + 4;
    svg.append(svgNode("text", { x: left - 6, y: y + 12, "text-anchor": "end" }, rule.prefix));
    svg.append(svgNode("rect", { x: left, y, width: x(rule.hits) - left, height: row - 8, fill: COLOURS.hits,
      "data-series": "hits", "data-rule": rule.prefix }));
    svg.append(svgNode("rect", { x: x(rule.hits), y, width: x(rule.misses) - left, height: row - 8, fill: COLOURS.misses,
      "data-series": "misses", "data-rule": rule.prefix }));
  });
  legend(svg, left, 18, [["hits", "hits (from the cache)"], ["misses", "misses (fetched upstream)"]]);
}

// ---------------------------------------------------------------- overview

const summaryPages = [null];

async function overview() {
  const token = summaryPages[summaryPages.length - 1];
  const summary = await api("GET", SUMMARY + query({ maxResults: PAGE_SIZE, nextToken: token }));
  status("as of " + time(summary.generatedAt));
  for (const source of ["cache", "upstream"]) {
    const value = $("#bytes-" + source);
    value.textContent = bytes(summary.bytes[source]);
    value.dataset.value = summary.bytes[source];
  }
  $("#nodes").textContent = summary.nodes;
  fill("#rules", summary.rules, r => r.prefix, r => [cell(r.prefix), cell(r.upstreamUrl), cell(r.hits, r.hits, true),
    cell(r.misses, r.misses, true),
    cell(r.hitRatio === null ? "–" : (r.hitRatio * 100).toFixed(1) + " %", r.hitRatio, true)], "no rules");
  fill("#repositories", summary.repositories, r => r.name, r => [
    cell(element("a", { href: "#/repository/" + encodeURIComponent(r.name) }, r.name)),
    cell(r.images, r.images, true), cell(bytes(r.bytes), r.bytes, true), timeCell(r.lastPulledAt)], "nothing cached yet");
  fill("#upstreams", summary.upstreams, u => u.host, u => {
    const health = cell(u.healthy ? "ok" : "failing", u.healthy);
    health.className = u.healthy ? "ok" : "bad";
    return [cell(u.host), cell(u.requests, u.requests, true), cell(u.failures, u.failures, true), health];
  }, "no upstream called yet");
  egressChart(summary.egress);
  lookupsChart(summary.rules);
  const next = $("#repositories-next");
  next.hidden = !summary.nextToken;
  next.dataset.token = summary.nextToken || "";
  $("#repositories-previous").hidden = summaryPages.length === 1;
  $("#repositories-page").textContent = "page " + summaryPages.length + (summary.nextToken ? ", more on the next page" : ", the last");
}

$("#repositories-next").addEventListener("click", event => { summaryPages.push(event.target.dataset.token); show(); });
$("#repositories-previous").addEventListener("click", () => { summaryPages.pop(); show(); });

// ---------------------------------------------------------------- browse

const repositoryPages = [null];
let namePrefix = "";

async function repositories() {
  const form = $("#repository-search");
  let page;
  try {
    page = await api("GET", "repositories" + query({ maxResults: PAGE_SIZE, nextToken: repositoryPages.at(-1), namePrefix }));
    clearErrors(form);
  } catch (error) {
    if (error.status === 400) { showErrors(form, error); return; }
    throw error;
  }
  fill("#repository-list", page.repositories, r => r.name, r => [
    cell(element("a", { href: "#/repository/" + encodeURIComponent(r.name) }, r.name)),
    cell(r.rulePrefix), cell(r.upstreamRepository), cell(r.settings.tagMutability), timeCell(r.createdAt)],
    namePrefix ? "no repository starts with " + namePrefix : "nothing cached yet");
  pager("#repository-list-pager", repositoryPages, page.nextToken, show);
  status("repositories on this page: " + page.repositories.length);
}

$("#repository-search").addEventListener("submit", event => {
  event.preventDefault();
  namePrefix = event.target.namePrefix.value.trim();
  repositoryPages.splice(1);
  show();
});

const imagePages = [null];
let imagesOf = null;

async function repository(name) {
  if (imagesOf !== name) { imagesOf = name; imagePages.splice(1); }
  const [found, page] = await Promise.all([api("GET", "repositories/" + name),
    api("GET", "repositories/" + name + "/images" + query({ maxResults: PAGE_SIZE, nextToken: imagePages.at(-1) }))]);
  $("#repository-name").textContent = name;
  $("#repository-lifecycle").href = "#/lifecycle/" + encodeURIComponent(name);
  details("#repository-details", [["rule", found.rulePrefix], ["upstream", found.upstreamUrl],
    ["upstream repository", found.upstreamRepository], ["tag mutability", found.settings.tagMutability],
    ["created", time(found.createdAt)]]);
  fill("#images", page.images, i => i.digest, image => [
    cell(element("a", { className: "digest", title: image.digest,
      href: "#/image/" + encodeURIComponent(name) + "/" + encodeURIComponent(image.digest) }, shortDigest(image.digest))),
    cell(tags(image)), cell(bytes(image.size), image.size, true), timeCell(image.cachedAt), timeCell(image.lastPulledAt)],
    "no images");
  pager("#images-pager", imagePages, page.nextToken, show);
  status("images on this page: " + page.images.length);
}

/** Each tag with its last upstream check, and a badge when upstream moved it to another digest. */
function tags(image) {
  if (image.tags.length === 0) return element("span", { className: "muted" }, "untagged");
  const list = element("div");
  for (const tag of image.tags) {
    const moved = tag.upstreamDigest && tag.upstreamDigest !== image.digest;
    list.append(element("div", { className: "tag", dataset: { tag: tag.tag, moved: String(!!moved) } },
      element("strong", {}, tag.tag), " ",
      element("span", { className: "muted" }, "checked " + time(tag.lastUpstreamCheckAt)),
      moved ? element("span", { className: "badge", title: "upstream now has " + tag.upstreamDigest },
        " upstream moved to " + shortDigest(tag.upstreamDigest)) : null));
  }
  return list;
}

async function image(name, digest) {
  const found = await api("GET", "repositories/" + name + "/images/" + digest);
  const link = $("#image-repository");
  link.textContent = name;
  link.href = "#/repository/" + encodeURIComponent(name);
  $("#image-digest").textContent = shortDigest(digest);
  details("#image-details", [["digest", element("code", {}, found.digest)], ["media type", found.mediaType],
    ["tags", tags(found)], ["manifest size", bytes(found.size)],
    ["layers size", bytes(found.layers.reduce((sum, l) => sum + l.size, 0))], ["cached", time(found.cachedAt)],
    ["last pulled", time(found.lastPulledAt)], ["last upstream check", time(found.lastUpstreamCheckAt)],
    ["config", found.config ? element("code", {}, found.config.digest) : "–"]]);
  fill("#image-layers", found.layers, l => l.digest, (layer) => [cell(found.layers.indexOf(layer) + 1),
    cell(element("code", {}, layer.digest)), cell(layer.mediaType), cell(bytes(layer.size), layer.size, true)],
    found.manifests.length ? "an index: see its images" : "no layers");
  const index = found.manifests.length > 0;
  $("#image-manifests").hidden = !index;
  $("#image-manifests-title").hidden = !index;
  fill("#image-manifests", found.manifests, m => m.digest, m => [
    cell(m.platform ? [m.platform.os, m.platform.architecture, m.platform.variant].filter(v => v).join("/") : "–"),
    cell(element("a", { className: "digest", href: "#/image/" + encodeURIComponent(name) + "/" + encodeURIComponent(m.digest) },
      m.digest)), cell(m.mediaType), cell(bytes(m.size), m.size, true)]);
  fill("#image-referrers", found.referrers, r => r.digest, r => [
    cell(element("a", { className: "digest", href: "#/image/" + encodeURIComponent(name) + "/" + encodeURIComponent(r.digest) },
      shortDigest(r.digest))), cell(r.artifactType || r.mediaType), cell(bytes(r.size), r.size, true), timeCell(r.cachedAt)],
    "no referrers cached");
  status("image " + digest);
}

// ---------------------------------------------------------------- rules

const rulePages = [null];
/** The prefix of the rule the form edits; null when it creates one. */
let editedRule = null;

async function rules() {
  const page = await api("GET", "rules" + query({ maxResults: PAGE_SIZE, nextToken: rulePages.at(-1) }));
  fill("#rule-list", page.rules, r => r.prefix, rule => [cell(rule.prefix), cell(rule.upstreamUrl),
    cell(rule.refreshInterval), cell(rule.source === "config" ? "config file (read-only)" : "control API"),
    cell(element("span", { className: "actions" },
      rule.readOnly ? null : element("button", { type: "button", className: "edit", onclick: () => editRule(rule) }, "Edit"),
      element("button", { type: "button", className: "validate", onclick: () => validateRule(rule.prefix) }, "Validate"),
      rule.readOnly ? null : element("button", { type: "button", className: "danger delete", onclick: () => deleteRule(rule.prefix) },
        "Delete")))], "no rules");
  pager("#rule-list-pager", rulePages, page.nextToken, show);
  status("rules on this page: " + page.rules.length);
}

function editRule(rule) {
  editedRule = rule ? rule.prefix : null;
  fillForm($("#rule-form"), rule || {});
  $("#rule-form").prefix.readOnly = !!rule;
  $("#rule-form-title").textContent = rule ? "Edit rule " + rule.prefix : "New rule";
  $("#rule-save").textContent = rule ? "Save changes" : "Create rule";
  if (rule) $("#rule-form").scrollIntoView();
}

function showChecks(result) {
  $("#rule-checks").hidden = false;
  $("#rule-checks").dataset.valid = result.valid;
  $("#rule-checks-prefix").textContent = result.prefix;
  $("#rule-checks-verdict").textContent = result.valid ? "valid" : "not valid";
  $("#rule-checks-verdict").className = result.valid ? "ok" : "bad";
  $("#rule-check-list").replaceChildren(...result.checks.map(check => element("li",
    { className: check.ok ? "passed" : "failed", dataset: { check: check.check, ok: check.ok } },
    element("strong", {}, check.check), ": " + check.message)));
}

async function validateRule(prefix) {
  status("validating " + prefix + "…");
  showChecks(await api("POST", "rules/" + prefix + "/validate", {}));
  status("validated " + prefix);
}

async function deleteRule(prefix) {
  if (!confirm("Delete the rule " + prefix + "? Cached repositories stay; new pulls under it fail.")) return;
  await api("DELETE", "rules/" + prefix);
  if (editedRule === prefix) editRule(null);
  status("deleted rule " + prefix);
  await rules();
}

$("#rule-form").addEventListener("submit", event => {
  event.preventDefault();
  const form = event.target;
  const body = formBody(form, editedRule !== null);
  const saving = editedRule === null ? api("POST", "rules", body) : api("PUT", "rules/" + editedRule, body);
  saving.then(rule => {
    clearErrors(form);
    status((editedRule === null ? "created" : "saved") + " rule " + rule.prefix);
    form.dataset.saved = rule.prefix;
    editRule(null);
    return rules();
  }).catch(error => showErrors(form, error));
});

$("#rule-validate").addEventListener("click", () => {
  const form = $("#rule-form");
  status("validating…");
  api("POST", "rules/validate", formBody(form, false)).then(result => {
    clearErrors(form);
    showChecks(result);
    status("validated " + result.prefix);
  }).catch(error => showErrors(form, error));
});

$("#rule-cancel").addEventListener("click", () => editRule(null));

// ---------------------------------------------------------------- templates

const templatePages = [null];
let editedTemplate = null;

async function templates() {
  const page = await api("GET", "templates" + query({ maxResults: PAGE_SIZE, nextToken: templatePages.at(-1) }));
  fill("#template-list", page.templates, t => t.prefix, template => [cell(template.prefix), cell(template.tagMutability),
    cell(template.description || ""), cell(template.lifecyclePolicy ? "set" : "none"),
    cell(element("span", { className: "actions" },
      element("button", { type: "button", className: "edit", onclick: () => editTemplate(template) }, "Edit"),
      element("button", { type: "button", className: "danger delete", onclick: () => deleteTemplate(template.prefix) }, "Delete")))],
    "no templates: repositories are created with the defaults");
  pager("#template-list-pager", templatePages, page.nextToken, show);
  status("templates on this page: " + page.templates.length);
}

function editTemplate(template) {
  editedTemplate = template ? template.prefix : null;
  fillForm($("#template-form"), template || { tagMutability: "MUTABLE" });
  $("#template-form").prefix.readOnly = !!template;
  $("#template-form-title").textContent = template ? "Edit template " + template.prefix : "New template";
  $("#template-save").textContent = template ? "Save changes" : "Create template";
}

async function deleteTemplate(prefix) {
  if (!confirm("Delete the template " + prefix + "? Existing repositories keep their settings.")) return;
  await api("DELETE", "templates/" + prefix);
  if (editedTemplate === prefix) editTemplate(null);
  await templates();
}

$("#template-form").addEventListener("submit", event => {
  event.preventDefault();
  const form = event.target;
  const body = formBody(form, editedTemplate !== null);
  if (editedTemplate !== null && !body.applyToExisting) delete body.applyToExisting;
  const saving = editedTemplate === null ? api("POST", "templates", body) : api("PUT", "templates/" + editedTemplate, body);
  saving.then(template => {
    status((editedTemplate === null ? "created" : "saved") + " template " + template.prefix
      + (template.appliedTo ? ", applied to " + template.appliedTo.length + " repositories" : ""));
    editTemplate(null);
    return templates();
  }).catch(error => showErrors(form, error));
});

$("#template-cancel").addEventListener("click", () => editTemplate(null));

// ---------------------------------------------------------------- lifecycle preview

function lifecycle(repositoryName) {
  const form = $("#lifecycle-form");
  if (repositoryName && form.repository.value !== repositoryName) {
    form.repository.value = repositoryName;
    $("#lifecycle-result").hidden = true;
  }
  status("");
}

function imageList(images, extra) {
  if (images.length === 0) return element("p", { className: "muted" }, "none");
  const table = element("table", {}, element("thead", {}, element("tr", {},
    ...["digest", "tags", "cached", "last pulled", extra[0]].map(h => element("th", {}, h)))));
  const body = element("tbody");
  for (const image of images) {
    body.append(element("tr", { dataset: { key: image.digest } }, cell(element("code", { title: image.digest }, shortDigest(image.digest))),
      cell(image.tags.join(", ") || "untagged"), timeCell(image.cachedAt), timeCell(image.lastPulledAt), cell(extra[1](image))));
  }
  table.append(body);
  return element("div", { className: "scroll" }, table);
}

$("#lifecycle-form").addEventListener("submit", event => {
  event.preventDefault();
  const form = event.target;
  api("POST", "lifecycle/preview", formBody(form, false)).then(result => {
    clearErrors(form);
    $("#lifecycle-result").hidden = false;
    $("#lifecycle-evaluated").textContent = "Evaluated for " + result.repository + " at " + time(result.evaluatedAt);
    $("#lifecycle-rules").replaceChildren(...result.rules.map(rule => element("div", { dataset: { rulePriority: rule.rulePriority } },
      element("h3", {}, "Rule " + rule.rulePriority + (rule.description ? ": " + rule.description : "")),
      element("p", { className: "muted" }, rule.rule + " — selects " + rule.selected.length + ", expires " + rule.expired.length),
      imageList(rule.expired, ["why", i => i.reason]),
      rule.spared.length ? element("p", { className: "muted" }, "Spared (selected by an earlier rule):") : null,
      rule.spared.length ? imageList(rule.spared, ["kept by rule", i => i.selectedByRulePriority]) : null)));
    $("#lifecycle-retained").textContent = result.retained.length + " images retained.";
    status("preview of " + result.repository);
  }).catch(error => showErrors(form, error));
});

// ---------------------------------------------------------------- sign-in and views

/** {user, admin} of whoever signed in (user null without auth); null until asked. */
let session = null;

function signIn(error) {
  sessionStorage.removeItem("cargohold.credentials");
  session = null;
  document.body.dataset.admin = "false";
  showView("login");
  const form = $("#login-form");
  form.querySelector(".form-error").textContent = credentialsTried ? error.message : "";
  status("sign in to continue");
}

function forbidden(error) {
  showView("forbidden");
  $("#forbidden-message").textContent = error.message;
  status("");
}

let credentialsTried = false;

$("#login-form").addEventListener("submit", event => {
  event.preventDefault();
  const form = event.target;
  const pair = form.username.value + ":" + form.password.value;
  sessionStorage.setItem("cargohold.credentials", btoa(String.fromCharCode(...new TextEncoder().encode(pair))));
  sessionStorage.setItem("cargohold.user", form.username.value);
  credentialsTried = true;
  session = null;
  form.password.value = "";
  show();
});

$("#sign-out").addEventListener("click", () => {
  sessionStorage.clear();
  session = null;
  credentialsTried = false;
  show();
});

function showView(name) {
  document.querySelectorAll(".view").forEach(view => { view.hidden = view.id !== "view-" + name; });
  const section = name === "repository" || name === "image" ? "repositories" : name;
  document.querySelectorAll("#nav a").forEach(a => a.classList.toggle("active", a.dataset.view === section));
  const user = sessionStorage.getItem("cargohold.user");
  $("#user").textContent = user ? "signed in as " + user : "";
  $("#sign-out").hidden = !user;
}

/** The view the hash names, with its data loaded; when it names none, the overview (admins) or the repositories. */
async function show() {
  if (session === null) {
    try {
      session = await api("GET", "console/session");
    } catch (error) {
      if (error.status !== 401 && error.status !== 403) status("could not load: " + error.message);
      return;
    }
    document.body.dataset.admin = String(session.admin);
  }
  const [view, ...rest] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const routes = {
    overview: () => overview(),
    repositories: () => repositories(),
    repository: () => repository(rest.join("/")),
    image: () => image(rest[0], rest[1]),
    rules: () => rules(),
    templates: () => templates(),
    lifecycle: () => lifecycle(rest[0])
  };
  const name = routes[view] ? view : session.admin ? "overview" : "repositories";
  showView(name);
  document.body.dataset.view = name;
  try {
    await routes[name]();
    document.body.dataset.loaded = "true";
  } catch (error) {
    if (error.status !== 401 && error.status !== 403) status("could not load: " + error.message);
  }
}

window.addEventListener("hashchange", show);
show();
setInterval(() => { if (document.body.dataset.view === "overview" && !document.hidden) show(); }, 10000);
