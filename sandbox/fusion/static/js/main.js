// The Fusion host simulator: boots the page, embeds the toolbar, exposes window.fusionHost.
//
// URL options: ?agent=<demo agent id>  ?interpreter=pyodide|micropython and ?lang=<language>
// (passed on to the toolbar frame)  ?toolbar=<path on the toolbar origin> (tests: embed another page)
// ?unresponsive=1 (the host answers nothing)  ?offerTimeout=<seconds> (default offer timeout).

import { Agent } from "./agent.js";
import { Calls } from "./calls.js";
import { CHANNEL } from "./directory.js";
import { CHANNEL_TYPE } from "./directory.js";
import { outgoingOutData } from "./directory.js";
import { renderDialList } from "./directory.js";
import { EventLog } from "./log.js";
import { OPERATION_METHODS } from "./operations.js";
import { handle } from "./operations.js";
import { newSession } from "./state.js";
import { snapshot } from "./state.js";
import { byId } from "./util.js";
import { clone } from "./util.js";
import { uuid4 } from "./util.js";
import { Wire } from "./wire.js";

const TOOLBAR_NAME = "TWILIO_SOFTPHONE";
const DEFAULT_OFFER_TIMEOUT_SEC = 30;
// Host URL options the toolbar frame's URL carries too (an administrator sets them in Fusion's toolbar URL).
const PASSED_ON = ["interpreter", "lang"];
const params = new URLSearchParams(location.search);

async function getJson(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: HTTP ${response.status}`);
  return response.json();
}

/** The toolbar frame's URL: /toolbar/ or ?toolbar=<path> on the toolbar origin, plus Fusion's parameters. */
export function toolbarUrl(config, options = params) {
  let url = new URL(config.toolbarUrl);
  const path = options.get("toolbar");
  if (path !== null) {
    url = new URL(path, config.toolbarOrigin);
    if (!path.startsWith("/") || path.startsWith("//") || url.origin !== config.toolbarOrigin) {
      throw new Error(`?toolbar= takes a path on the toolbar origin (${config.toolbarOrigin}), not ${JSON.stringify(path)}`);
    }
  }
  url.searchParams.set("oraParentFrame", location.origin);
  url.searchParams.set("oraTbName", TOOLBAR_NAME);
  for (const name of PASSED_ON) {
    if (options.get(name)) url.searchParams.set(name, options.get(name));
  }
  return url.href;
}

function createHost(config, directory) {
  const log = new EventLog();
  const settles = new Map(); // commandId -> {resolve, reject} of sendCommand's Promise
  const host = {
    config, directory, log, session: null,
    defaultOfferTimeoutSec: Number(params.get("offerTimeout")) || DEFAULT_OFFER_TIMEOUT_SEC,

    sendEvent(method, data) {
      return host.wire.send(method, data);
    },

    /** A new JWT for agent `agentId`, as Fusion mints one for every getConfiguration. */
    async freshToken(agentId) {
      const { token } = await getJson(`/sandbox/api/agents/${encodeURIComponent(agentId)}/token`, { method: "POST" });
      return token;
    },

    /** Send a controllable command; resolves with the toolbar's answer, rejects if it broke a rule. */
    sendCommand(event, command, { eventId = null, inData = {} }) {
      const commandId = uuid4();
      const entry = { event, command, commandId, eventId, status: "pending", result: null, outData: null, error: null };
      host.session.commands.set(commandId, entry);
      return new Promise((resolve, reject) => {
        settles.set(commandId, { resolve, reject });
        entry.uuid = host.wire.send(event, {
          command, commandId, eventId, slot: null, channel: CHANNEL, channelType: CHANNEL_TYPE, inData: clone(inData),
          result: "needsSetByToolbar", resultDisplayString: null, outData: null, timeStamp: new Date().toISOString(),
        });
      });
    },

    settleCommand(message, record) {
      const data = message.data ?? {};
      const entry = host.session.commands.get(data.commandId);
      if (!entry || entry.status !== "pending") {
        host.log.markError(record, `no pending command has commandId ${data.commandId}`);
        return;
      }
      Object.assign(entry, {
        status: "answered", result: data.result ?? null, resultDisplayString: data.resultDisplayString ?? null,
        outData: data.outData ?? null,
      });
      if (entry.result !== "success") host.log.markError(record, `the toolbar answered ${entry.command} with ${entry.result}`);
      settles.get(entry.commandId)?.resolve(clone(entry));
      settles.delete(entry.commandId);
    },

    failCommand(commandId, error) {
      const entry = host.session.commands.get(commandId);
      if (!entry || entry.status !== "pending") return;
      Object.assign(entry, { status: "failed", error });
      settles.get(commandId)?.reject(new Error(error));
      settles.delete(commandId);
    },

    dial(entry) {
      const uuid = uuid4();
      host.session.outgoing.set(uuid, { uuid, number: entry.number, status: "requested", error: null });
      host.calls.notice(null);
      host.wire.send("onOutgoingEvent", {
        uuid, origin: "ContactDetails", windowName: window.name || "fusion", outData: outgoingOutData(directory, entry),
      }, uuid);
    },
  };
  host.wire = new Wire({ toolbarOrigin: config.toolbarOrigin, log, onMessage: (message, record) => handle(host, message, record) });
  host.calls = new Calls(host);
  return host;
}

async function signIn(host, agents, agentId) {
  const index = Math.max(0, agents.findIndex((agent) => agent.id === agentId));
  const agent = agents[index];
  if (host.session) host.calls.reset();
  host.session = newSession({ ...agent, partyId: String(300100010000000 + index) },
    { name: TOOLBAR_NAME, origin: host.config.toolbarOrigin, url: null });
  host.agentView?.render();
  host.calls.render();
  return agent;
}

function loadToolbar(host) {
  const slot = byId("toolbar-slot");
  let src;
  try {
    src = toolbarUrl(host.config);
  } catch (error) {
    const message = document.createElement("p");
    message.className = "toolbar-error";
    message.id = "toolbar-error";
    message.textContent = error.message;
    slot.replaceChildren(message);
    console.error(`host: ${error.message}`);
    return;
  }
  const frame = document.createElement("iframe");
  Object.assign(frame, { id: "toolbar-frame", name: "toolbar-frame", title: "Media toolbar", src });
  frame.setAttribute("allow", "microphone");
  host.session.toolbar.url = src;
  host.wire.attach(frame, TOOLBAR_NAME);
  slot.replaceChildren(frame);
}

function exposeForTests(host) {
  const received = (record) => record.direction === "in" && OPERATION_METHODS.includes(record.method);
  window.fusionHost = Object.freeze({
    /** A copy of the host's state: agent, phoneIcon, toolbar, calls, outgoing, commands, paused. */
    state: () => snapshot(host.session, host.wire.paused),
    /** The operations received from the toolbar, oldest first: {method, uuid, data, answered, error}. */
    operations: () => host.log.records.filter(received).map((record) => ({
      method: record.method, uuid: record.uuid, data: clone(record.message.data),
      answered: !record.unanswered, error: record.error,
    })),
    /** Every logged message either way (and the host's notes), oldest first. */
    messages: () => clone(host.log.records),
    /** The logged messages that carry an error. */
    errors: () => clone(host.log.records.filter((record) => record.error)),
    /** Make the host unresponsive (true: it logs the toolbar's messages, acts on none, answers none) or not. */
    setPaused(paused) {
      host.wire.paused = Boolean(paused);
      byId("pause-host").checked = host.wire.paused;
      host.log.note(host.wire.paused ? "host unresponsive: answering nothing" : "host answering again");
    },
  });
}

async function main() {
  const [config, { agents }, directory] = await Promise.all([
    getJson("/sandbox/api/config"), getJson("/sandbox/api/agents"), getJson("/sandbox/api/directory"),
  ]);
  const host = createHost(config, directory);
  exposeForTests(host);
  const agent = await signIn(host, agents, params.get("agent"));
  host.agentView = new Agent(host, agents, async (agentId) => {
    const next = await signIn(host, agents, agentId);
    params.set("agent", next.id);
    history.replaceState(null, "", `?${params}`);
    host.log.note(`signed in as ${next.id}: reloading the toolbar`);
    loadToolbar(host);
  });
  host.agentView.render();
  renderDialList(directory, (entry) => host.dial(entry));
  byId("pause-host").addEventListener("change", (event) => window.fusionHost.setPaused(event.target.checked));
  byId("log-clear").addEventListener("click", () => host.log.clear());
  // As in Fusion, the phone icon opens the media toolbar: here it brings it into view.
  byId("phone-icon").addEventListener("click", () => byId("toolbar-slot").scrollIntoView({ block: "nearest" }));
  if (params.get("unresponsive") === "1") window.fusionHost.setPaused(true);
  host.log.note(`signed in as ${agent.id}`);
  loadToolbar(host);
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  console.error(`host: could not start: ${error.message}`);
  byId("toolbar-slot").textContent = `The host page could not start: ${error.message}`;
  document.body.dataset.ready = "error";
});
