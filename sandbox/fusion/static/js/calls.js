// What the agent sees of calls: incoming dialog, dialing panel, active call, screen pop,
// wrap-up, notices. Every change goes through the session's call records, then render().
//
// A call record: {eventId, direction: "inbound"|"outbound", number, contact, status, reason,
// outData, offerTimeoutSec, offerDeadline, pendingCommand}. Status moves offered|dialing ->
// connected -> wrapup|closed, or offered -> timed-out -> closed.

import { dataUpdatedData } from "./directory.js";
import { byId } from "./util.js";
import { show } from "./util.js";

const STATUS_TEXT = { accept: "Answering…", reject: "Declining…", disconnect: "Hanging up…" };

export class Calls {
  constructor(host) {
    this.host = host;
    this.countdown = null;
    byId("incoming-answer").addEventListener("click", () => this.command(this.latest("offered"), "accept"));
    byId("incoming-decline").addEventListener("click", () => this.command(this.latest("offered"), "reject"));
    byId("hang-up").addEventListener("click", () => this.command(this.latest("connected"), "disconnect"));
    byId("offer-timeout").addEventListener("click", () => this.timeOut(this.latest("offered")));
    byId("wrapup-close").addEventListener("click", () => this.closeWrapUp(this.latest("wrapup")));
  }

  get calls() {
    return this.host.session.calls;
  }

  /** The most recent call in `status`, or null. */
  latest(status) {
    return [...this.calls.values()].reverse().find((call) => call.status === status) ?? null;
  }

  /** A newCommEvent was accepted: offer an inbound call, or show an outbound one dialing. */
  add(call) {
    this.notice(null);
    this.calls.set(call.eventId, call);
    if (call.status === "offered") {
      call.offerDeadline = Date.now() + call.offerTimeoutSec * 1000;
      call.timer = setTimeout(() => this.timeOut(call), call.offerTimeoutSec * 1000);
    }
    this.render();
  }

  started(call) {
    clearTimeout(call.timer);
    Object.assign(call, { status: "connected", pendingCommand: null });
    this.render();
  }

  closed(call, reason) {
    clearTimeout(call.timer);
    Object.assign(call, { status: reason === "WRAPUP" ? "wrapup" : "closed", reason, pendingCommand: null });
    this.render();
  }

  /** The offer expired (or #offer-timeout was clicked): tell the toolbar with onDataUpdated. */
  timeOut(call) {
    if (!call || call.status !== "offered") return;
    clearTimeout(call.timer);
    call.status = "timed-out";
    this.host.sendEvent("onDataUpdated", dataUpdatedData(call, "OFFER_TIMEOUT"));
    this.render();
  }

  /** The agent closed the wrap-up (#wrapup-close): the call is over; tell the toolbar, as Fusion does. */
  closeWrapUp(call) {
    if (!call) return;
    call.status = "closed";
    this.host.sendEvent("onDataUpdated", dataUpdatedData(call, "WRAPUP_CLOSED"));
    this.render();
  }

  /** Send onToolbarInteractionCommand `command` for `call`; act on the toolbar's result. */
  async command(call, command) {
    if (!call || call.pendingCommand) return;
    if (command === "accept") clearTimeout(call.timer);
    call.pendingCommand = command;
    this.render();
    try {
      const response = await this.host.sendCommand("onToolbarInteractionCommand", command,
        { eventId: call.eventId, inData: call.outData });
      if (response.result !== "success") throw new Error(`the toolbar answered ${response.result}`);
    } catch (error) {
      call.pendingCommand = null;
      this.notice(`Could not ${command} the call with ${call.number}: ${error.message}`);
    }
    this.render();
  }

  /** Show `text` in #call-notice (null hides it). */
  notice(text) {
    const element = byId("call-notice");
    element.textContent = text ?? "";
    show(element, Boolean(text));
  }

  reset() {
    for (const call of this.calls.values()) clearTimeout(call.timer);
    this.notice(null);
    this.render();
  }

  render() {
    this.renderIncoming(this.latest("offered"));
    const dialing = this.latest("dialing");
    show(byId("dialing-panel"), Boolean(dialing));
    if (dialing) fill({ "dialing-name": dialing.contact?.name ?? "", "dialing-number": dialing.number });
    this.renderActive(this.latest("connected"));
    const wrapup = this.latest("wrapup");
    show(byId("wrapup"), Boolean(wrapup));
    if (wrapup) fill({ "wrapup-number": wrapup.number });
    this.renderScreenPop(this.latest("connected") ?? wrapup);
  }

  renderIncoming(call) {
    const dialog = byId("incoming-dialog");
    show(dialog, Boolean(call));
    clearInterval(this.countdown);
    if (!call) return;
    dialog.dataset.eventId = call.eventId;
    fill({ "incoming-name": call.contact?.name ?? "Unknown caller", "incoming-number": call.number });
    const status = byId("incoming-status");
    status.textContent = STATUS_TEXT[call.pendingCommand] ?? "";
    show(status, Boolean(call.pendingCommand));
    byId("incoming-answer").disabled = byId("incoming-decline").disabled = Boolean(call.pendingCommand);
    const tick = () => {
      byId("offer-countdown").textContent = String(Math.max(0, Math.ceil((call.offerDeadline - Date.now()) / 1000)));
    };
    tick();
    this.countdown = setInterval(tick, 500);
  }

  renderActive(call) {
    const panel = byId("active-call");
    show(panel, Boolean(call));
    if (!call) return;
    panel.dataset.eventId = call.eventId;
    fill({
      "active-name": call.contact?.name ?? "", "active-number": call.number,
      "active-direction": call.direction === "inbound" ? "Inbound" : "Outbound",
    });
    const status = byId("active-status");
    status.textContent = STATUS_TEXT[call.pendingCommand] ?? "";
    show(status, Boolean(call.pendingCommand));
    byId("hang-up").disabled = Boolean(call.pendingCommand);
  }

  /** The screen pop: the matched contact and the engagement's ids, from the outData. */
  renderScreenPop(call) {
    const panel = byId("screen-pop");
    show(panel, Boolean(call));
    if (!call) return;
    panel.dataset.eventId = call.eventId;
    const out = call.outData;
    const rows = [
      ["Contact", out.SVCMCA_CONTACT_NAME ?? "No matching contact"], ["Account", out.SVCMCA_ORG_NAME],
      ["Job title", out.SVCMCA_CONTACT_JOB_TITLE], ["Email", out.SVCMCA_EMAIL], ["Phone", call.number],
      ["Direction", call.direction], ["Interaction", out.SVCMCA_INTERACTION_ID], ["Event id", call.eventId],
    ].filter(([, value]) => value);
    byId("screen-pop-fields").replaceChildren(...rows.flatMap(([term, value]) => {
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      dd.dataset.field = term.toLowerCase().replace(" ", "-");
      return [dt, dd];
    }));
  }
}

function fill(texts) {
  for (const [id, text] of Object.entries(texts)) byId(id).textContent = text;
}
