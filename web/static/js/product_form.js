/**
 * The product form (/products/new, /products/{id}/edit): details, image links, the
 * variant manager and the live SKU grid (one row per combination of the variant values).
 *
 * SKUs are suggested by the server (POST /skus/generate) from the product name until the
 * owner edits one; an edited SKU is checked when the field is left (format, uniqueness in
 * the grid, then POST /skus/validate). Saving creates the product with all its items in
 * one request, or, when editing, updates the product (the server reconciles the items
 * with the new variants) and then each item whose row changed. Server errors are shown
 * beside the field they name, and listed in a summary at the top.
 */

import { api } from "./api.js";
import { wireDeleteButtons } from "./delete_product.js";
import { flash, toast } from "./toast.js";
import * as rules from "./variants.js";

const form = document.getElementById("product-form");
const productId = form.dataset.productId || null;
const initial = JSON.parse(document.getElementById("product-data").textContent);
const fields = {
  name: form.elements.name,
  description: form.elements.description,
  category: form.elements.category,
  base_price: form.elements.base_price,
};
const variantList = form.querySelector("[data-variant-list]");
const addVariantButton = form.querySelector("[data-add-variant]");
const imageList = form.querySelector("[data-image-list]");
const addImageButton = form.querySelector("[data-add-image]");
const gridBody = form.querySelector("[data-sku-rows]");
const summary = form.querySelector("[data-error-summary]");
const saveButton = form.querySelector("[data-save]");
const restructureWarning = form.querySelector("[data-restructure-warning]");

const SUGGEST_DELAY_MS = 350;
const SUGGEST_PARALLEL = 6;
let uid = 0;
let loading = true;
const types = [];
const images = [];
let rows = new Map();
let order = [];
let suggestTimer = null;
let suggestRound = 0;

// ---- small DOM helpers ------------------------------------------------------------------

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Show `message` under `input` (creating the message element once) and mark it invalid. */
function setError(input, message) {
  const id = `${input.id}-error`;
  let note = document.getElementById(id);
  if (!note) {
    note = el("span", { id, class: input.closest("td") ? "cell-error" : "field-error" });
    (input.closest(".sku-cell") || input).after(note);
  }
  note.textContent = message;
  note.hidden = false;
  input.setAttribute("aria-invalid", "true");
  const described = new Set((input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  described.add(id);
  input.setAttribute("aria-describedby", [...described].join(" "));
}

function clearError(input) {
  const note = document.getElementById(`${input.id}-error`);
  if (note) note.hidden = true;
  input.removeAttribute("aria-invalid");
  const described = (input.getAttribute("aria-describedby") || "")
    .split(" ")
    .filter((id) => id && id !== `${input.id}-error`);
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

function clearAllErrors() {
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) clearError(input);
  summary.hidden = true;
  summary.replaceChildren();
}

/** The error summary: each problem, linked to its field when it has one. */
function showSummary(problems) {
  const list = el("ul");
  for (const { message, target } of problems) {
    const item = el("li");
    if (target && target.id) {
      const link = el("a", { href: `#${target.id}` }, message);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        target.focus();
      });
      item.append(link);
    } else {
      item.textContent = message;
    }
    list.append(item);
  }
  const count = problems.length;
  const heading = el("p", {}, count === 1 ? "Please fix this problem:" : `Please fix these ${count} problems:`);
  summary.replaceChildren(heading, list);
  summary.hidden = false;
  summary.focus();
}

// ---- variant types ----------------------------------------------------------------------

function activeTypes() {
  return types.filter((type) => type.values.length > 0);
}

function typeLabel(type) {
  return type.name.trim() || "this type";
}

function optionsOf(row, { forSuggestion = false } = {}) {
  return activeTypes().map((type, index) => ({
    option_name: type.name.trim() || (forSuggestion ? `Option ${index + 1}` : ""),
    value: row.values[index],
  }));
}

function buildType(type) {
  const nameId = `variant-${type.uid}-name`;
  const valueId = `variant-${type.uid}-value`;
  const root = el("div", { class: "variant", "data-variant": type.uid });
  const head = el("div", { class: "variant-head" });
  const field = el("div", { class: "field" });
  const name = el("input", {
    id: nameId, type: "text", maxlength: 100, placeholder: "e.g. Size", autocomplete: "off", value: type.name,
  });
  field.append(el("label", { for: nameId }, "Variant type"), name);
  const remove = el("button", { type: "button", class: "btn btn-ghost btn-sm btn-danger-text" }, "Remove type");
  head.append(field, remove);
  const values = el("ul", { class: "variant-values" });
  const adder = el("div", { class: "value-adder" });
  const valueLabel = el("label", { for: valueId, class: "visually-hidden" });
  const valueInput = el("input", {
    id: valueId, type: "text", maxlength: 100, autocomplete: "off",
    placeholder: "Add values, e.g. S, M, L — then Enter",
  });
  const addButton = el("button", { type: "button", class: "btn btn-secondary btn-sm" }, "Add");
  adder.append(valueLabel, valueInput, addButton);
  root.append(head, values, adder);

  name.addEventListener("input", () => {
    type.name = name.value;
    clearError(name);
    labelType(type);
    renderValues(type);
    scheduleSuggestions();
  });
  remove.addEventListener("click", () => removeType(type));
  valueInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      addValues(type, valueInput.value);
    }
  });
  addButton.addEventListener("click", () => {
    addValues(type, valueInput.value);
    valueInput.focus();
  });
  return { root, name, remove, values, valueInput, valueLabel, addButton };
}

function labelType(type) {
  const label = typeLabel(type);
  type.el.valueLabel.textContent = `Add a value to ${label}`;
  type.el.remove.setAttribute("aria-label", `Remove variant type ${label}`);
  type.el.values.setAttribute("aria-label", `Values of ${label}`);
  type.el.addButton.setAttribute("aria-label", `Add value to ${label}`);
}

function renderValues(type) {
  const label = typeLabel(type);
  type.el.values.replaceChildren(
    ...type.values.map((value, index) => {
      const chip = el("li", { class: "chip" });
      chip.append(el("span", {}, value));
      const remove = el("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${value} from ${label}` }, "×");
      remove.addEventListener("click", () => {
        type.values.splice(index, 1);
        renderValues(type);
        structureChanged();
        type.el.valueInput.focus();
      });
      chip.append(remove);
      return chip;
    }),
  );
}

function addType(name = "", values = [], { focus = false } = {}) {
  if (types.length >= rules.MAX_TYPES) {
    toast(`A product can have at most ${rules.MAX_TYPES} variant types.`, "error");
    return;
  }
  const type = { uid: ++uid, name, values: [...values] };
  type.el = buildType(type);
  types.push(type);
  variantList.append(type.el.root);
  labelType(type);
  renderValues(type);
  addVariantButton.hidden = types.length >= rules.MAX_TYPES;
  structureChanged();
  if (focus) type.el.name.focus();
}

function removeType(type) {
  types.splice(types.indexOf(type), 1);
  type.el.root.remove();
  addVariantButton.hidden = false;
  structureChanged();
  addVariantButton.focus();
}

function addValues(type, raw) {
  clearError(type.el.valueInput);
  const problems = [];
  for (const value of raw.split(",").map((piece) => piece.trim()).filter(Boolean)) {
    if (type.values.some((known) => rules.normaliseLabel(known) === rules.normaliseLabel(value))) {
      problems.push(`“${value}” is already a value of ${typeLabel(type)}.`);
    } else if (type.values.length >= rules.MAX_VALUES) {
      problems.push(`${typeLabel(type)} can have at most ${rules.MAX_VALUES} values.`);
      break;
    } else {
      type.values.push(value);
    }
  }
  type.el.valueInput.value = "";
  if (problems.length) setError(type.el.valueInput, problems.join(" "));
  renderValues(type);
  structureChanged();
}

/** Values typed but not yet added (no Enter pressed) count when saving. */
function addPendingValues() {
  for (const type of types) if (type.el.valueInput.value.trim()) addValues(type, type.el.valueInput.value);
}

function structureChanged() {
  if (loading) return;
  if (restructureWarning) {
    restructureWarning.hidden = activeTypes().length === (initial?.variants.length ?? 0);
  }
  rebuildGrid();
}

// ---- the SKU grid -----------------------------------------------------------------------

function basePrice() {
  return rules.parseMoney(fields.base_price.value) ?? "";
}

function newRow(values) {
  return {
    values, sku: "", skuTouched: false, price: basePrice(), priceTouched: false,
    stock: "0", barcode: "", item: null, el: null, check: 0,
  };
}

function gridMessage(text) {
  const cell = el("td", { colspan: 5, class: "empty" }, text);
  const row = el("tr");
  row.append(cell);
  gridBody.replaceChildren(row);
}

function rebuildGrid() {
  const active = activeTypes();
  const count = rules.combinationCount(active);
  if (count > rules.MAX_COMBINATIONS) {
    order = [];
    gridMessage(`These values make ${count} combinations; a product can have at most ${rules.MAX_COMBINATIONS}. Remove some values.`);
    return;
  }
  const next = new Map();
  order = [];
  for (const combo of rules.combinations(active.map((type) => ({ name: type.name, values: type.values })))) {
    const key = rules.comboKey(combo);
    const row = rows.get(key) || newRow([]);
    row.values = combo.map((option) => option.value);
    next.set(key, row);
    order.push(key);
  }
  rows = next;
  gridBody.replaceChildren(...order.map((key) => renderRow(rows.get(key))));
  scheduleSuggestions();
}

function orderedRows() {
  return order.map((key) => rows.get(key));
}

function renderRow(row) {
  const label = rules.comboLabel(row.values.map((value) => ({ value })));
  if (!row.el) row.el = buildRow(row);
  row.el.label.textContent = label;
  row.el.sku.setAttribute("aria-label", `SKU for ${label}`);
  row.el.price.setAttribute("aria-label", `Price for ${label}`);
  row.el.stock.setAttribute("aria-label", `Stock for ${label}`);
  row.el.barcode.setAttribute("aria-label", `Barcode for ${label}`);
  return row.el.tr;
}

function buildRow(row) {
  const id = ++uid;
  const tr = el("tr", { "data-sku-row": "" });
  const label = el("th", { scope: "row", class: "col-variant" });
  const skuCell = el("td", { class: "col-sku", "data-label": "SKU" });
  const skuWrap = el("div", { class: "sku-cell" });
  const sku = el("input", {
    id: `row-${id}-sku`, type: "text", maxlength: 50, autocomplete: "off", spellcheck: "false",
    value: row.sku, placeholder: "From the name",
  });
  const status = el("span", { class: "sku-status", "data-state": "" });
  skuWrap.append(sku, status);
  skuCell.append(skuWrap);
  const price = el("input", { id: `row-${id}-price`, type: "text", inputmode: "decimal", value: row.price });
  const stock = el("input", { id: `row-${id}-stock`, type: "text", inputmode: "numeric", value: row.stock });
  const barcode = el("input", { id: `row-${id}-barcode`, type: "text", maxlength: 64, value: row.barcode });
  const cells = [
    [price, "col-price", "Price"],
    [stock, "col-stock", "Stock"],
    [barcode, "col-barcode", "Barcode"],
  ].map(([input, cls, name]) => {
    const cell = el("td", { class: cls, "data-label": name });
    cell.append(input);
    return cell;
  });
  tr.append(label, skuCell, ...cells);

  sku.addEventListener("input", () => {
    row.sku = sku.value;
    row.skuTouched = true;
    setStatus(row, "");
    clearError(sku);
  });
  sku.addEventListener("blur", () => checkSku(row));
  price.addEventListener("input", () => {
    row.price = price.value;
    row.priceTouched = true;
    clearError(price);
  });
  price.addEventListener("blur", () => {
    if (price.value.trim() && rules.parseMoney(price.value) === null) setError(price, "Enter a price like 12.50.");
  });
  stock.addEventListener("input", () => {
    row.stock = stock.value;
    clearError(stock);
  });
  stock.addEventListener("blur", () => {
    if (rules.parseStock(stock.value) === null) setError(stock, "Enter a whole number, 0 or more.");
  });
  barcode.addEventListener("input", () => {
    row.barcode = barcode.value;
    clearError(barcode);
  });
  return { tr, label, sku, status, price, stock, barcode };
}

function setStatus(row, state) {
  const text = { ok: "✓", bad: "✕", checking: "…" }[state] || "";
  const spoken = { ok: "SKU available", bad: "SKU problem", checking: "Checking SKU" }[state] || "";
  row.el.status.dataset.state = state;
  row.el.status.textContent = text;
  if (spoken) row.el.status.setAttribute("title", spoken);
  else row.el.status.removeAttribute("title");
}

function skuProblemInGrid(row, sku) {
  const problem = rules.skuProblem(sku);
  if (problem) return problem;
  const others = orderedRows().filter((other) => other !== row).map((other) => other.el.sku.value.trim());
  return rules.duplicateSkus([...others, sku]).has(sku) ? "Another variant above already uses this SKU." : null;
}

/** On leaving a SKU field: its format, its uniqueness in the grid, then in the business. */
async function checkSku(row) {
  const sku = row.el.sku.value.trim().toUpperCase();
  row.el.sku.value = sku;
  row.sku = sku;
  if (!sku && !row.item) {
    row.skuTouched = false;
    clearError(row.el.sku);
    setStatus(row, "");
    scheduleSuggestions();
    return;
  }
  const problem = skuProblemInGrid(row, sku);
  if (problem) {
    setError(row.el.sku, problem);
    setStatus(row, "bad");
    return;
  }
  if (row.item && sku === row.item.sku) {
    setStatus(row, "ok");
    return;
  }
  setStatus(row, "checking");
  const check = ++row.check;
  try {
    const verdict = await api("/api/v1/skus/validate", {
      method: "POST",
      body: { sku, inventory_item_id: row.item ? row.item.id : null },
    });
    if (check !== row.check) return;
    if (verdict.is_valid_format && verdict.is_unique) {
      clearError(row.el.sku);
      setStatus(row, "ok");
    } else {
      setError(row.el.sku, verdict.is_unique ? verdict.reason : `SKU ${sku} is already in use.`);
      setStatus(row, "bad");
    }
  } catch {
    setStatus(row, "");
  }
}

function scheduleSuggestions() {
  if (loading) return;
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(suggestSkus, SUGGEST_DELAY_MS);
}

/** Fill the SKUs the owner has not typed with the server's suggestion for the name. */
async function suggestSkus() {
  const round = ++suggestRound;
  const name = fields.name.value.trim();
  const pending = orderedRows().filter((row) => !row.skuTouched && !row.item);
  if (!name) {
    for (const row of pending) {
      row.sku = "";
      row.el.sku.value = "";
    }
    return;
  }
  for (let start = 0; start < pending.length; start += SUGGEST_PARALLEL) {
    await Promise.all(
      pending.slice(start, start + SUGGEST_PARALLEL).map(async (row) => {
        try {
          const { suggested_sku: sku } = await api("/api/v1/skus/generate", {
            method: "POST",
            body: { product_name: name, variant_options: optionsOf(row, { forSuggestion: true }) },
          });
          if (round !== suggestRound || row.skuTouched) return;
          row.sku = sku;
          row.el.sku.value = sku;
          clearError(row.el.sku);
          setStatus(row, "");
        } catch {
          // No suggestion: the server generates a SKU for an empty field when saving.
        }
      }),
    );
    if (round !== suggestRound) return;
  }
}

// ---- images -----------------------------------------------------------------------------

function renumberImages() {
  images.forEach((image, index) => {
    image.el.label.textContent = `Image ${index + 1} URL`;
    image.el.remove.setAttribute("aria-label", `Remove image ${index + 1}`);
  });
  addImageButton.hidden = images.length >= rules.MAX_IMAGES;
}

function preview(image) {
  const url = image.el.input.value.trim();
  // Only https previews: the page's CSP (img-src https:) refuses plain-http images.
  if (url.startsWith("https://") && rules.isImageUrl(url)) {
    image.el.thumb.src = url;
    image.el.thumb.hidden = false;
  } else {
    image.el.thumb.removeAttribute("src");
    image.el.thumb.hidden = true;
  }
}

function addImage(url = "", { focus = false } = {}) {
  if (images.length >= rules.MAX_IMAGES) return;
  const id = ++uid;
  const item = el("li", { class: "image-row" });
  const thumb = el("img", { class: "image-thumb", alt: "", hidden: true });
  thumb.addEventListener("error", () => { thumb.hidden = true; });
  const field = el("div", { class: "field" });
  const label = el("label", { for: `image-${id}`, class: "visually-hidden" });
  const input = el("input", {
    id: `image-${id}`, type: "url", inputmode: "url", placeholder: "https://…", value: url,
    "aria-describedby": "images-hint",
  });
  field.append(label, input);
  const remove = el("button", { type: "button", class: "btn btn-ghost btn-sm btn-danger-text" }, "Remove");
  item.append(thumb, field, remove);
  imageList.append(item);
  const image = { el: { item, thumb, label, input, remove } };
  images.push(image);
  input.addEventListener("input", () => clearError(input));
  input.addEventListener("change", () => preview(image));
  remove.addEventListener("click", () => {
    images.splice(images.indexOf(image), 1);
    item.remove();
    renumberImages();
    addImageButton.focus();
  });
  renumberImages();
  preview(image);
  if (focus) input.focus();
}

// ---- validation before sending ----------------------------------------------------------

function validate() {
  const problems = [];
  const fail = (target, message) => {
    setError(target, message);
    problems.push({ target, message });
  };
  if (!fields.name.value.trim()) fail(fields.name, "Enter the product's name.");
  if (rules.parseMoney(fields.base_price.value) === null) fail(fields.base_price, "Enter a base price like 12.50.");
  for (const image of images) {
    const url = image.el.input.value.trim();
    if (url && !rules.isImageUrl(url)) fail(image.el.input, "Enter a full link starting with https://");
  }
  const seenTypes = new Set();
  for (const type of types) {
    const name = type.name.trim();
    if (!name && type.values.length) fail(type.el.name, "Name this variant type, e.g. Size.");
    if (name && !type.values.length) fail(type.el.valueInput, `Add at least one value to ${name}, or remove it.`);
    if (name && seenTypes.has(rules.normaliseLabel(name))) fail(type.el.name, `There are two variant types called ${name}.`);
    seenTypes.add(rules.normaliseLabel(name));
  }
  if (!order.length) problems.push({ target: null, message: "Remove some variant values: there are too many combinations." });
  for (const row of orderedRows()) {
    const sku = row.el.sku.value.trim().toUpperCase();
    const label = rules.comboLabel(row.values.map((value) => ({ value })));
    const skuProblem = sku ? skuProblemInGrid(row, sku) : row.item ? "Enter a SKU." : null;
    if (skuProblem) fail(row.el.sku, `${label}: ${skuProblem}`);
    if (rules.parseMoney(row.el.price.value) === null) fail(row.el.price, `${label}: enter a price like 12.50.`);
    if (rules.parseStock(row.el.stock.value) === null) fail(row.el.stock, `${label}: enter a whole number of items in stock.`);
  }
  return problems;
}

// ---- server errors ----------------------------------------------------------------------

const ITEM_COLUMNS = { sku: "sku", price: "price", stock_quantity: "stock", barcode: "barcode" };

/** The input a server error's field path ("inventory_items.2.sku") points at. */
function targetFor(path, sent) {
  const [head, index, tail] = String(path).split(".");
  if (head in fields) return fields[head];
  if (head === "images_urls") return sent.images[Number(index)]?.el.input ?? null;
  if (head === "variants") {
    const type = sent.types[Number(index)];
    if (!type) return null;
    return tail === "values" ? type.el.valueInput : type.el.name;
  }
  if (head === "inventory_items") {
    const row = sent.rows[Number(index)];
    return row && ITEM_COLUMNS[tail] ? row.el[ITEM_COLUMNS[tail]] : null;
  }
  if (sent.row && ITEM_COLUMNS[head]) return sent.row.el[ITEM_COLUMNS[head]];
  return null;
}

/** The problems in an API error, each shown beside its field when it names one. */
function problemsOf(error, sent) {
  if (error.code === "validation_error" && Array.isArray(error.details)) {
    return error.details.map((detail) => {
      const target = targetFor(detail.field, sent);
      if (target) setError(target, detail.message);
      return { target, message: detail.message };
    });
  }
  if (error.code === "sku_taken") {
    const sku = String(error.details?.sku || "").toUpperCase();
    const row = sent.row || orderedRows().find((candidate) => candidate.el.sku.value.trim().toUpperCase() === sku);
    const message = `SKU ${sku} is already in use.`;
    if (row) {
      setError(row.el.sku, message);
      setStatus(row, "bad");
    }
    return [{ target: row ? row.el.sku : null, message }];
  }
  return [{ target: null, message: error.message }];
}

// ---- saving -----------------------------------------------------------------------------

function itemBody(row) {
  const body = {
    price: rules.parseMoney(row.el.price.value),
    stock_quantity: rules.parseStock(row.el.stock.value),
  };
  const sku = row.el.sku.value.trim().toUpperCase();
  const barcode = row.el.barcode.value.trim();
  if (sku) body.sku = sku;
  body.barcode = barcode || null;
  return body;
}

function productBody(sent) {
  return {
    name: fields.name.value.trim(),
    description: fields.description.value.trim() || null,
    category: fields.category.value.trim() || null,
    base_price: rules.parseMoney(fields.base_price.value),
    images_urls: sent.images.map((image) => image.el.input.value.trim()),
    variants: sent.types.map((type) => ({ option_name: type.name.trim(), values: type.values })),
  };
}

/** What an item needs changed to match its row (nothing → {}). */
function itemChanges(row, item) {
  const wanted = itemBody(row);
  const changes = {};
  if (wanted.sku && wanted.sku !== item.sku) changes.sku = wanted.sku;
  if (wanted.price !== item.price) changes.price = wanted.price;
  if (wanted.stock_quantity !== item.stock_quantity) changes.stock_quantity = wanted.stock_quantity;
  if ((wanted.barcode || null) !== (item.barcode || null)) changes.barcode = wanted.barcode;
  return changes;
}

async function createProduct(sent) {
  const body = productBody(sent);
  body.inventory_items = sent.rows.map((row) => {
    const item = { variant_options: optionsOf(row), ...itemBody(row) };
    if (!item.barcode) delete item.barcode;
    return item;
  });
  const created = await api("/api/v1/products", { method: "POST", body });
  return created.name;
}

/** Update the product, then every row's item; returns the problems of rows that failed. */
async function updateProduct(sent) {
  const updated = await api(`/api/v1/products/${productId}`, { method: "PUT", body: productBody(sent) });
  const names = sent.types.map((type) => rules.normaliseLabel(type.name));
  const byKey = new Map();
  for (const item of updated.inventory_items.filter((candidate) => candidate.is_active)) {
    const values = names.map((name) => item.variant_options.find((o) => rules.normaliseLabel(o.option_name) === name)?.value);
    if (values.every((value) => value !== undefined)) byKey.set(rules.comboKey(values.map((value) => ({ value }))), item);
  }
  const problems = [];
  for (const row of sent.rows) {
    const key = rules.comboKey(row.values.map((value) => ({ value })));
    const item = byKey.get(key);
    try {
      if (!item) {
        row.item = await api(`/api/v1/products/${productId}/inventory_items`, {
          method: "POST",
          body: { variant_options: optionsOf(row), ...itemBody(row) },
        });
      } else {
        row.item = item;
        const changes = itemChanges(row, item);
        if (Object.keys(changes).length) {
          row.item = await api(`/api/v1/inventory_items/${item.id}`, { method: "PUT", body: changes });
        }
      }
      row.skuTouched = true;
    } catch (error) {
      problems.push(...problemsOf(error, { ...sent, row }));
    }
  }
  return { name: updated.name, problems };
}

async function save(event) {
  event.preventDefault();
  addPendingValues();
  clearAllErrors();
  const problems = validate();
  if (problems.length) {
    showSummary(problems);
    return;
  }
  const sent = {
    images: images.filter((image) => image.el.input.value.trim()),
    types: activeTypes(),
    rows: orderedRows(),
  };
  saveButton.disabled = true;
  saveButton.setAttribute("aria-busy", "true");
  try {
    if (productId) {
      const { name, problems: failed } = await updateProduct(sent);
      if (failed.length) {
        showSummary(failed);
        return;
      }
      flash(`Changes to “${name}” were saved.`);
    } else {
      flash(`“${await createProduct(sent)}” was added.`);
    }
    location.assign("/products");
  } catch (error) {
    showSummary(problemsOf(error, sent));
  } finally {
    saveButton.disabled = false;
    saveButton.removeAttribute("aria-busy");
  }
}

// ---- start ------------------------------------------------------------------------------

function valuesOfItem(item, variants) {
  return variants.map((variant) => {
    const name = rules.normaliseLabel(variant.option_name);
    return item.variant_options.find((option) => rules.normaliseLabel(option.option_name) === name)?.value;
  });
}

function loadProduct(product) {
  fields.name.value = product.name;
  fields.description.value = product.description || "";
  fields.category.value = product.category || "";
  fields.base_price.value = product.base_price;
  for (const url of product.images_urls) addImage(url);
  const variants = [...product.variants].sort((a, b) => a.position - b.position);
  for (const variant of variants) {
    addType(variant.option_name, [...variant.options].sort((a, b) => a.position - b.position).map((o) => o.value));
  }
  for (const item of product.inventory_items.filter((candidate) => candidate.is_active)) {
    const values = valuesOfItem(item, variants);
    if (values.some((value) => value === undefined)) continue;
    rows.set(rules.comboKey(values.map((value) => ({ value }))), {
      values, sku: item.sku, skuTouched: true, price: item.price, priceTouched: true,
      stock: String(item.stock_quantity), barcode: item.barcode || "", item, el: null, check: 0,
    });
  }
}

if (initial) loadProduct(initial);
loading = false;
rebuildGrid();

fields.name.addEventListener("input", () => {
  clearError(fields.name);
  scheduleSuggestions();
});
fields.base_price.addEventListener("input", () => {
  clearError(fields.base_price);
  const price = basePrice();
  for (const row of orderedRows()) {
    if (row.priceTouched || row.item) continue;
    row.price = price;
    row.el.price.value = price;
  }
});
addVariantButton.addEventListener("click", () => addType("", [], { focus: true }));
addImageButton.addEventListener("click", () => addImage("", { focus: true }));
form.addEventListener("submit", save);
wireDeleteButtons((name) => {
  flash(`“${name}” was deleted.`);
  location.assign("/products");
});
if (!initial) fields.name.focus();
