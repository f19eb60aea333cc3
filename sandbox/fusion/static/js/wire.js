// The host's end of the wire: the legacy MCA envelope over postMessage.
//
// Toolbar -> host: JSON {method, version, data, toolbarName, uuid}, accepted only from the
// toolbar frame's window and origin. Host -> toolbar replies: {method, version, toolbarName,
// uuid (the request's), result: "success"|"error", error, ...payload}. Host -> toolbar
// events: {method: <event name>, version, toolbarName, uuid, data}. Everything goes to the
// toolbar origin only, and every message either way is recorded in the event log.

import { uuid4 } from "./util.js";

export const MCA_VERSION = "1.5.0";

export class Wire {
  /**
   * @param {object} options
   * @param {string} options.toolbarOrigin the only origin messages are taken from and sent to
   * @param {EventLog} options.log
   * @param {(message, record) => void} options.onMessage called for every accepted message
   */
  constructor({ toolbarOrigin, log, onMessage }) {
    this.toolbarOrigin = toolbarOrigin;
    this.log = log;
    this.onMessage = onMessage;
    this.frame = null;
    this.toolbarName = null;
    this.paused = false;
    window.addEventListener("message", (event) => this.receive(event));
  }

  /** Talk to `frame` (an iframe element) from now on; messages of an older frame are dropped. */
  attach(frame, toolbarName) {
    this.frame = frame;
    this.toolbarName = toolbarName;
  }

  receive(event) {
    if (!this.frame || event.source !== this.frame.contentWindow || event.origin !== this.toolbarOrigin) {
      console.info(`host: ignored a message from ${event.origin || "an unknown origin"} (not the toolbar frame)`);
      return;
    }
    let message = null;
    try {
      message = typeof event.data === "string" ? JSON.parse(event.data) : null;
    } catch {
      message = null;
    }
    if (!message || typeof message !== "object" || typeof message.method !== "string" || !message.uuid) {
      this.log.add("in", message?.method ?? "(malformed)", { raw: String(event.data).slice(0, 2000) },
        "malformed message: expected a JSON string {method, version, data, toolbarName, uuid}");
      return;
    }
    const record = this.log.add("in", message.method, message);
    // An unresponsive host (fusionHost.setPaused) neither acts on nor answers anything.
    if (this.paused) this.log.markUnanswered(record);
    else this.onMessage(message, record);
  }

  /** Answer `request`; `error` makes it an error reply and marks the log entry. */
  reply(request, record, payload = {}, error = null) {
    if (error) this.log.markError(record, error);
    this.post({
      method: request.method, version: MCA_VERSION, toolbarName: request.toolbarName ?? this.toolbarName,
      uuid: request.uuid, result: error ? "error" : "success",
      error: error ? { code: "REQUEST_FAILED", message: error } : null, ...payload,
    });
  }

  /** Send event `method` with `data` to the toolbar; returns the envelope's uuid. */
  send(method, data, uuid = uuid4()) {
    this.post({ method, version: MCA_VERSION, toolbarName: this.toolbarName, uuid, data });
    return uuid;
  }

  post(envelope) {
    this.log.add("out", envelope.method, envelope);
    this.frame?.contentWindow?.postMessage(JSON.stringify(envelope), this.toolbarOrigin);
  }
}
