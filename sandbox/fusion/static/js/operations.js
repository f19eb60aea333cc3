// What the host does with each message from the toolbar (UEF publish operations, event
// subscriptions, command responses, the stand-in's error reports), as Fusion would.
// A handler replies through host.wire.reply(), at once or when it has what it needs
// (getConfiguration first mints a fresh JWT), or not at all.

import { commOutData } from "./directory.js";
import { reverseLookup } from "./directory.js";
import { fusionId } from "./util.js";

export const OPERATION_METHODS = [
  "getConfiguration", "agentStateEvent", "newCommEvent", "startCommEvent", "closeCommEvent", "outboundCommError",
];
export const EVENT_NAMES = ["onToolbarInteractionCommand", "onToolbarAgentCommand", "onOutgoingEvent", "onDataUpdated"];

const handlers = {
  async getConfiguration(host, message, record) {
    const agent = host.session.agent;
    try {
      agent.faTrustToken = await host.freshToken(agent.id);
    } catch (error) {
      return host.wire.reply(message, record, {}, `could not issue the agent's faTrustToken: ${error.message}`);
    }
    host.wire.reply(message, record, {
      configuration: {
        agentId: agent.id, agentPartyId: agent.partyId, faTrustToken: agent.faTrustToken,
        features: [], companionPanelUrl: null, companionPanelTitle: null,
      },
      outData: {},
    });
  },

  agentStateEvent(host, message, record) {
    const data = message.data ?? {};
    if (typeof data.isLoggedIn !== "boolean" || typeof data.isAvailable !== "boolean") {
      return host.wire.reply(message, record, {}, "isLoggedIn and isAvailable must be booleans");
    }
    Object.assign(host.session.agent, {
      isLoggedIn: data.isLoggedIn, isAvailable: data.isLoggedIn && data.isAvailable, state: data.stateCd ?? null,
      stateDisplayString: data.stateDisplayString ?? null, reason: data.reasonCd ?? null,
      reasonDisplayString: data.reasonDisplayString ?? null,
    });
    host.agentView.render();
    host.wire.reply(message, record);
  },

  newCommEvent(host, message, record) {
    const { eventId, inData = {} } = message.data ?? {};
    if (!eventId || !inData.SVCMCA_ANI) return host.wire.reply(message, record, {}, "eventId and inData.SVCMCA_ANI are required");
    if (host.session.calls.has(eventId)) return host.wire.reply(message, record, {}, `eventId ${eventId} is already a call`);
    const inbound = inData.SVCMCA_COMMUNICATION_DIRECTION !== "ORA_SVC_OUTBOUND";
    const contact = reverseLookup(host.directory, inData.SVCMCA_ANI);
    const interactionId = fusionId();
    const outData = commOutData({ eventId, inData, contact, interactionId });
    host.calls.add({
      eventId, direction: inbound ? "inbound" : "outbound", number: String(inData.SVCMCA_ANI), contact,
      status: inbound ? "offered" : "dialing", reason: null, outData, pendingCommand: null,
      offerTimeoutSec: offerTimeout(inData.SVCMCA_OFFER_TIMEOUT_SEC, host.defaultOfferTimeoutSec),
    });
    const outgoing = host.session.outgoing.get(eventId);
    if (outgoing) outgoing.status = "dialing";
    host.wire.reply(message, record, {
      eventId, channel: "PHONE", channelType: "ORA_SVC_PHONE", interactionId, engagementId: fusionId(), outData,
    });
  },

  startCommEvent(host, message, record) {
    const call = openCall(host, message, record);
    if (!call) return;
    if (!["offered", "dialing"].includes(call.status)) {
      return host.wire.reply(message, record, {}, `call ${call.eventId} is ${call.status}, not offered or dialing`);
    }
    host.calls.started(call);
    host.wire.reply(message, record, { eventId: call.eventId, outData: call.outData });
  },

  closeCommEvent(host, message, record) {
    const call = openCall(host, message, record);
    if (!call) return;
    host.calls.closed(call, message.data.reason ?? "ENDCOMMUNICATION");
    host.wire.reply(message, record, { eventId: call.eventId, outData: call.outData });
  },

  outboundCommError(host, message, record) {
    const { commUuid, errorCode, errorMsg } = message.data ?? {};
    const outgoing = host.session.outgoing.get(commUuid);
    if (!outgoing) return host.wire.reply(message, record, {}, `no outgoing call has uuid ${commUuid}`);
    Object.assign(outgoing, { status: "failed", error: { code: errorCode, message: errorMsg ?? null } });
    host.calls.notice(`Call to ${outgoing.number} failed: ${errorCode}${errorMsg ? ` (${errorMsg})` : ""}`);
    host.wire.reply(message, record);
  },

  tbInteractionCommandResponse(host, message, record) {
    host.settleCommand(message, record);
  },

  tbAgentCommandResponse(host, message, record) {
    host.settleCommand(message, record);
  },

  sandboxError(host, message, record) {
    const data = message.data ?? {};
    host.log.markError(record, data.message ?? "the UEF stand-in reported an error");
    if (data.commandId) host.failCommand(data.commandId, data.message);
  },
};

for (const event of EVENT_NAMES) {
  handlers[event] = (host, message, record) => {
    host.session.toolbar.subscriptions[event] = { appClassification: message.data?.appClassification ?? null };
    host.wire.reply(message, record);
  };
}

/** Handle one accepted message from the toolbar. */
export function handle(host, message, record) {
  const handler = Object.hasOwn(handlers, message.method) ? handlers[message.method] : null;
  if (!handler) return host.wire.reply(message, record, {}, `unknown method ${message.method}`);
  handler(host, message, record);
}

function openCall(host, message, record) {
  const eventId = message.data?.eventId;
  const call = host.session.calls.get(eventId);
  if (!call || call.status === "closed") {
    host.wire.reply(message, record, {}, `no open call has eventId ${eventId}`);
    return null;
  }
  return call;
}

function offerTimeout(value, fallback) {
  const seconds = Number(value);
  return value !== "" && value !== null && Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}
