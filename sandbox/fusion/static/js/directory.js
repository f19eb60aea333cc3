// Fusion's data side: reverse lookup of phone numbers and the click-to-dial list.
// The data comes from GET /sandbox/api/directory (sandbox/fusion/directory.py).

import { byId } from "./util.js";

export const CHANNEL = "PHONE";
export const CHANNEL_TYPE = "ORA_SVC_PHONE";

const digits = (number) => String(number ?? "").replace(/[^0-9]/g, "");

/** The demo contact whose phone matches `number` (digits compared), or null. */
export function reverseLookup(directory, number) {
  const wanted = digits(number);
  return directory.contacts.find((contact) => wanted && digits(contact.phone) === wanted) ?? null;
}

function contactTokens(contact) {
  if (!contact) return {};
  return {
    SVCMCA_CONTACT_ID: contact.contactId,
    SVCMCA_CONTACT_NAME: contact.name,
    SVCMCA_CONTACT_PRIMARY_PHONE: contact.phone,
    SVCMCA_CONTACT_JOB_TITLE: contact.jobTitle,
    SVCMCA_EMAIL: contact.email,
    SVCMCA_ORG_ID: contact.accountId,
    SVCMCA_ORG_NAME: contact.account,
  };
}

/** The outData Fusion answers a newCommEvent with: the SVCMCA_* tokens sent, the lookup, ids. */
export function commOutData({ eventId, inData, contact, interactionId }) {
  const tokens = Object.fromEntries(Object.entries(inData).filter(([key]) => key.startsWith("SVCMCA_")));
  return {
    ...tokens,
    ...contactTokens(contact),
    SVCMCA_DISPLAY_NAME: contact?.name ?? tokens.SVCMCA_DISPLAY_NAME ?? String(inData.SVCMCA_ANI),
    SVCMCA_INTERACTION_ID: interactionId,
    eventId,
    channel: CHANNEL,
    channelType: CHANNEL_TYPE,
  };
}

/**
 * The data of onDataUpdated `updateType` (OFFER_TIMEOUT, WRAPUP_CLOSED) for `call`: Oracle's UEF
 * IMcaOnDataUpdatedEventData (updateType inside outData, with the call's system tokens as the
 * legacy event has them; read with getOutputData().getUpdateType()). The UEF library adds the
 * envelope's method, toolbarName and uuid.
 */
export function dataUpdatedData(call, updateType) {
  return {
    channel: CHANNEL, channelType: CHANNEL_TYPE, eventId: call.eventId, eventSource: "fusion", result: "success",
    outData: { ...call.outData, updateType },
  };
}

/** The outData of an onOutgoingEvent for a click on `entry` ({number, label}). */
export function outgoingOutData(directory, entry) {
  const contact = reverseLookup(directory, entry.number);
  const tokens = contactTokens(contact);
  return {
    SVCMCA_ANI: entry.number,
    SVCMCA_DISPLAY_NAME: contact?.name ?? entry.label,
    SVCMCA_COMMUNICATION_DIRECTION: "ORA_SVC_OUTBOUND",
    ...(contact ? {
      SVCMCA_CONTACT_ID: tokens.SVCMCA_CONTACT_ID,
      SVCMCA_CONTACT_JOB_TITLE: tokens.SVCMCA_CONTACT_JOB_TITLE,
      SVCMCA_ORG_ID: tokens.SVCMCA_ORG_ID,
      SVCMCA_INTERACTION_REF_OBJ_TYPE: "CONTACT",
      SVCMCA_INTERACTION_REF_OBJ_ID: tokens.SVCMCA_CONTACT_ID,
    } : {}),
  };
}

/** Fill #dial-list with one `[data-dial]` button per dialable number; `onDial(entry)` on click. */
export function renderDialList(directory, onDial, list = byId("dial-list")) {
  list.replaceChildren(...directory.dialable.map((entry) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link number";
    button.dataset.dial = entry.number;
    button.textContent = entry.number;
    button.addEventListener("click", () => onDial(entry));
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = entry.label;
    const note = document.createElement("span");
    note.className = "hint";
    note.textContent = entry.note;
    item.append(button, label, note);
    return item;
  }));
}
