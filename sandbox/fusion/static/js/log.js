// The event log (#event-log): one element per message, each way, with its payload.
//
// <li data-seq data-method data-direction="in|out|note" data-uuid [data-error] [data-unanswered]>
//   <span class="time"> <span class="dir"> <span class="method"> <span class="summary">
//   <span class="error">  (errors only)
//   <details><pre class="payload">JSON of the whole envelope</pre></details>
// "in" is toolbar -> host, "out" is host -> toolbar, "note" is the host's own remark.

import { byId } from "./util.js";
import { clone } from "./util.js";

const DIRECTION_LABELS = { in: "⇠ from toolbar", out: "⇢ to toolbar", note: "· host" };

export class EventLog {
  constructor(list = byId("event-log")) {
    this.list = list;
    this.records = [];
    this.elements = new Map();
  }

  /** Record a message and show it; returns the record (mutate it through markError/markUnanswered). */
  add(direction, method, message, error = null) {
    const record = {
      seq: this.records.length + 1, time: new Date().toISOString(), direction, method: String(method ?? ""),
      uuid: message?.uuid ?? null, message: clone(message), error: null, unanswered: false,
    };
    this.records.push(record);
    this.elements.set(record.seq, this.render(record));
    if (error) this.markError(record, error);
    return record;
  }

  note(text) {
    return this.add("note", "host", { note: text });
  }

  markError(record, error) {
    record.error = String(error);
    const element = this.elements.get(record.seq);
    element.dataset.error = record.error;
    const line = document.createElement("span");
    line.className = "error";
    line.textContent = record.error;
    element.querySelector(".summary").after(line);
  }

  markUnanswered(record) {
    record.unanswered = true;
    this.elements.get(record.seq).dataset.unanswered = "";
  }

  clear() {
    this.list.replaceChildren();
  }

  render(record) {
    const item = document.createElement("li");
    Object.assign(item.dataset, { seq: record.seq, method: record.method, direction: record.direction });
    if (record.uuid) item.dataset.uuid = record.uuid;
    // Events and requests: their data; replies: the payload without the envelope's fields.
    const { method, version, toolbarName, uuid, ...reply } = record.message ?? {};
    const data = record.message?.data ?? reply;
    item.append(
      span("time", record.time.slice(11, 23)),
      span("dir", DIRECTION_LABELS[record.direction]),
      span("method", record.method),
      span("summary", summarize(data)),
    );
    const details = document.createElement("details");
    const payload = document.createElement("pre");
    payload.className = "payload";
    payload.textContent = JSON.stringify(record.message, null, 2);
    details.append(document.createElement("summary"), payload);
    details.firstChild.textContent = "payload";
    item.append(details);
    const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    this.list.append(item);
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
    return item;
  }
}

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function summarize(data) {
  const text = data === undefined ? "" : JSON.stringify(data);
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}
