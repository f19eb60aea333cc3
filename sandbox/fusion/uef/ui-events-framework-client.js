/*
 * UEF stand-in: the sandbox's replacement for Oracle's ui-events-framework-client.js.
 *
 * Oracle's library only runs inside Fusion and is on no registry. This script has the
 * same API surface for what a CTI media toolbar uses, so the toolbar's production code
 * runs unchanged against the sandbox's Fusion host simulator. Development and tests only.
 *
 * API (global CX_SVC_UI_EVENTS_FRAMEWORK):
 *   uiEventsFramework.initialize(appName, 'v1') -> Promise<provider>
 *   provider: requestHelper, getMultiChannelAdaptorContext() -> Promise<mca>,
 *             dispose(), getVersion(), getApplicationName()
 *   requestHelper.createPublishRequest(operation), .createSubscriptionRequest(event)
 *   mca: getActiveChannels() -> Promise<['PHONE']>, getCommunicationChannelContext('PHONE') -> Promise<phone>
 *   phone: publish(request) -> Promise<response>, subscribe(request, callback) -> {dispose()},
 *          subscribeOnce(request, callback), dispose(), getSupportedEvents(), getSupportedActions(),
 *          getChannelType(), getFrameOrigin(), getToolbarName(), getVersion()
 *   Operations and their setters (see OPERATIONS below): agentStateEventOperation,
 *   getConfigurationOperation, newCommEvent, startCommEvent, closeCommEvent, outboundCommError.
 *   Events: onToolbarInteractionCommand, onToolbarAgentCommand (controllable), onOutgoingEvent,
 *   onDataUpdated.
 *   Responses (each also has responseDetails: {data: {payload: reply}} for publish, the
 *   event's data for events):
 *     publish -> getResponseData(): isSuccess(), getError(), getData() (the host's reply);
 *       getConfigurationOperation adds getConfiguration(): getAgentId(), getAgentPartyId(),
 *       getFeatures(), getCompanionPanelUrl(), getCompanionPanelTitle(), getFaTrustToken();
 *       new/start/closeCommEvent add getOutData() = getOutputData() (plain SVCMCA_* + eventId).
 *     controllable events -> getResponseData(): getData(), getCommand(), getCommandId(),
 *       getEventId(), getSlot(), getInData(), getResult(), getResultDisplayString(), getOutdata(),
 *       setResult(v), setResultDisplayString(s), setOutdata(obj); the callback returns a Promise
 *       resolving that object (or the responseDetails with result set, as Oracle's sample does).
 *     onOutgoingEvent -> getResponseData(): getData(), getEventId(), getOutData() = getOutputData().
 *     onDataUpdated -> getResponseData(): getData(), getEventId(), getOutData() (plain, with
 *       updateType), getOutputData() -> {getUpdateType()} (Oracle's IMcaOnDataUpdatedData).
 *     Every event's getData() is Oracle's IMcaEventData: the host's data plus the envelope's
 *       method, toolbarName and uuid (and channel, channelType).
 *   Anything else Oracle's provider has (tabs, side panes, notifications...) is absent: calling
 *   it is a TypeError, so a toolbar that needs it finds out here.
 *
 * Rules enforced (each is an UefStandInError, a console.error and a "sandboxError" entry in
 * the host's log; rule ids in brackets):
 *   [unknown-operation] [unknown-event] a name that is not listed below (with a hint for
 *     'agentStateEvent' -> 'agentStateEventOperation'); thrown by createPublish/SubscriptionRequest.
 *   [missing-field] a required field of the operation is unset; publish() rejects.
 *   [invalid-field] a field of the wrong type or outside its values (eventId not a string,
 *     isAvailable not a boolean, inData a Map instead of a plain object, an appClassification
 *     other than ORA_SERVICE/ORA_SALES/ORA_HRHD, an unknown close reason or configType...).
 *   [missing-app-classification] subscribe to onOutgoingEvent/onDataUpdated without
 *     setAppClassification (Oracle's library throws "App Classification missing in payload").
 *   [unknown-comm-event] start/closeCommEvent for an eventId with no answered newCommEvent.
 *   [outdata-mismatch] start/closeCommEvent whose inData does not carry every outData field
 *     of that eventId's newCommEvent, unchanged.
 *   [duplicate-event-id] newCommEvent for an eventId whose call is still open.
 *   [unknown-comm-uuid] outboundCommError whose commUuid is no onOutgoingEvent uuid.
 *   [not-a-promise] a controllable callback returned something other than a Promise.
 *   [command-result-unset] its Promise resolved without a result (setResult not called).
 *   [callback-failed] a callback threw, or a controllable callback's Promise rejected.
 *   (start/closeCommEvent after Fusion's onDataUpdated WRAPUP_CLOSED for that eventId is
 *    [unknown-comm-event]: closing the wrap-up ends the call on Fusion's side.)
 *   [disposed] publish or subscribe after provider.dispose().
 *   [not-embedded] initialize() without Fusion's oraParentFrame/oraTbName query parameters
 *     (console and rejection only: there is no host to tell).
 * A host that refuses an operation (reply result "error") resolves publish() with
 * isSuccess() false and getError(), and is logged with console.error too.
 *
 * Wire: JSON strings {method, version: "1.5.0", data, toolbarName, uuid} posted to
 * window.parent with targetOrigin = oraParentFrame (the legacy MCA envelope); operations
 * travel under their MCA method names (agentStateEventOperation -> agentStateEvent,
 * getConfigurationOperation -> getConfiguration). Replies carry the request's uuid. A
 * subscription is announced with method = the event name. Events arrive with method = the
 * event name; controllable ones are answered with tbInteractionCommandResponse /
 * tbAgentCommandResponse carrying the command's uuid and commandId. Sandbox-only: rule
 * violations are reported with method "sandboxError". Messages from any other origin or
 * window are ignored. Like Oracle's, publish() has no timeout: a host that never answers
 * leaves it pending.
 */
(() => {
  "use strict";

  const MCA_VERSION = "1.5.0";
  const CHANNEL = "PHONE";
  const CHANNEL_TYPE = "ORA_SVC_PHONE";
  const APP_CLASSIFICATIONS = ["ORA_SERVICE", "ORA_SALES", "ORA_HRHD"];
  const CLOSE_REASONS = ["ABANDONED", "CANCELED", "ENDCOMMUNICATION", "MISSED", "REJECT", "TIMEOUT", "WRAPUP"];
  const CONFIG_TYPES = ["TOOLBAR", "TOKENS", "PAGES", "LOOKUP_OBJECTS", "ALL", "FA_TOKEN"];
  const DIRECTIONS = ["ORA_SVC_INBOUND", "ORA_SVC_OUTBOUND"];
  const UNSET_RESULT = "needsSetByToolbar";

  // ---- Operations: UEF name -> MCA method, setter -> [field, type], required fields ----
  const COMM_FIELDS = {
    setAppClassification: ["appClassification", APP_CLASSIFICATIONS],
    setEventId: ["eventId", "string"],
    setLookupObject: ["lookupObject", "string"],
    setInputData: ["inData", "object"],
  };
  const OPERATIONS = {
    agentStateEventOperation: {
      method: "agentStateEvent",
      fields: {
        setEventId: ["eventId", "string"], setIsAvailable: ["isAvailable", "boolean"],
        setIsLoggedIn: ["isLoggedIn", "boolean"], setState: ["stateCd", "string"],
        setStateDisplayString: ["stateDisplayString", "string"], setReason: ["reasonCd", "string"],
        setReasonDisplayString: ["reasonDisplayString", "string"], setInData: ["inData", "object"],
      },
      required: ["eventId", "isAvailable", "isLoggedIn", "stateDisplayString"],
    },
    getConfigurationOperation: {
      method: "getConfiguration", fields: { setConfigType: ["configType", CONFIG_TYPES] }, required: [],
    },
    newCommEvent: {
      method: "newCommEvent", fields: COMM_FIELDS, inData: true,
      required: ["appClassification", "eventId", "inData.SVCMCA_ANI", "inData.SVCMCA_COMMUNICATION_DIRECTION"],
    },
    startCommEvent: {
      method: "startCommEvent", fields: COMM_FIELDS, inData: true, correlate: true,
      required: ["appClassification", "eventId"],
    },
    closeCommEvent: {
      method: "closeCommEvent", fields: { ...COMM_FIELDS, setReason: ["reason", CLOSE_REASONS] },
      inData: true, correlate: true, required: ["appClassification", "eventId", "reason"],
    },
    outboundCommError: {
      method: "outboundCommError",
      fields: {
        setAppClassification: ["appClassification", APP_CLASSIFICATIONS], setCommUuid: ["commUuid", "string"],
        setErrorCode: ["errorCode", "string"], setErrorMsg: ["errorMsg", "string"],
      },
      required: ["commUuid", "errorCode"],
    },
  };
  // Typed inData setters of IMcaInDataRequest, besides setInDataValueByAttribute(name, value).
  const IN_DATA_SETTERS = {
    setCallStatus: "callStatus", setCallDirection: "callDirection", setCallSource: "callSource",
    setCallDestination: "callDestination", setChannelType: "channelType", setPhoneLineId: "phoneLineId",
    setNotificationType: "notificationType", setLookupObject: "lookupObject", setChannel: "channel",
  };
  for (const token of ["ANI", "OFFER_TIMEOUT_SEC", "WRAPUP_TIMEOUT", "COMMUNICATION_DIRECTION", "SR_NUM",
    "DISPLAY_NAME", "CONTACT_ID", "CONTACT_NAME", "INTERACTION_ID", "CALL_ID"]) {
    IN_DATA_SETTERS[`setSVCMCA_${token}`] = `SVCMCA_${token}`;
  }
  const EVENTS = {
    onToolbarInteractionCommand: { controllable: true, response: "tbInteractionCommandResponse" },
    onToolbarAgentCommand: { controllable: true, response: "tbAgentCommandResponse" },
    onOutgoingEvent: { needsAppClassification: true },
    onDataUpdated: {
      needsAppClassification: true,
      outputData: (outData) => ({ getUpdateType: () => outData.updateType ?? null }),
    },
  };

  // ---- Errors: every broken rule is loud in the console and in the host's log ----
  class UefStandInError extends Error {
    constructor(rule, message) {
      super(`[UEF stand-in] ${rule}: ${message}`);
      this.name = "UefStandInError";
      this.rule = rule;
    }
  }

  function violation(rule, message, detail = {}) {
    const error = new UefStandInError(rule, message);
    console.error(error.message);
    if (transport.origin) transport.post("sandboxError", { rule, message: error.message, ...detail });
    return error;
  }

  // ---- Small helpers ----
  const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  const isSet = (value) => value !== undefined && value !== null && value !== "";

  function isPlainObject(value) {
    if (Object.prototype.toString.call(value) !== "[object Object]") return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  }

  function describe(value) {
    if (value === null || value === undefined) return String(value);
    const kind = value.constructor?.name || Object.prototype.toString.call(value).slice(8, -1);
    if (typeof value !== "object" && typeof value !== "function") return `${typeof value} ${JSON.stringify(value)}`;
    return `${/^[AEIOU]/.test(kind) ? "an" : "a"} ${kind}`;
  }

  function uuid4() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function typeProblem(field, value, type) {
    if (Array.isArray(type)) return type.includes(value) ? null : `${field} must be one of ${type.join(", ")}, got ${describe(value)}`;
    if (type === "object") {
      return isPlainObject(value) ? null
        : `${field} must be a plain object, got ${describe(value)} (from Python: pyscript.ffi.to_js(d), or pyodide's to_js(d, dict_converter=Object.fromEntries))`;
    }
    return typeof value === type ? null : `${field} must be a ${type}, got ${describe(value)}`;
  }

  // ---- Transport: the MCA envelope over postMessage, to oraParentFrame only ----
  const transport = {
    origin: null,
    toolbarName: null,
    pending: new Map(),

    start() {
      if (this.origin) return;
      const params = new URLSearchParams(location.search);
      const parent = params.get("oraParentFrame");
      const name = params.get("oraTbName");
      let origin = null;
      try { origin = parent && new URL(parent).origin; } catch { origin = null; }
      if (!origin || !name || window.parent === window) {
        throw violation("not-embedded", "initialize() needs the oraParentFrame and oraTbName query parameters " +
          "Fusion appends to the toolbar URL, and a parent frame");
      }
      this.origin = origin;
      this.toolbarName = name;
      window.addEventListener("message", (event) => this.receive(event));
    },

    post(method, data, uuid = uuid4()) {
      const envelope = { method, version: MCA_VERSION, data, toolbarName: this.toolbarName, uuid };
      window.parent.postMessage(JSON.stringify(envelope), this.origin);
      return uuid;
    },

    request(method, data) {
      return new Promise((resolve) => this.pending.set(this.post(method, data), resolve));
    },

    receive(event) {
      if (event.origin !== this.origin || event.source !== window.parent) return;
      let message;
      try { message = JSON.parse(event.data); } catch { return; } // not ours (e.g. '_adfShowBody')
      if (!message || typeof message !== "object") return;
      const resolve = this.pending.get(message.uuid);
      if (resolve) {
        this.pending.delete(message.uuid);
        resolve(message);
      } else if (EVENTS[message.method]) {
        dispatch(message);
      }
    },
  };

  // ---- What the library remembers across providers: open calls and outgoing events ----
  const openCalls = new Map(); // eventId -> outData of its newCommEvent, until the call is closed
  const wrappingUp = new Set(); // eventIds closed with WRAPUP: still open until closed again
  const outgoingUuids = new Set();
  const subscribers = new Map(Object.keys(EVENTS).map((name) => [name, new Set()]));

  // ---- Requests ----
  class OperationRequest {
    constructor(operation) {
      const spec = OPERATIONS[operation];
      this._operation = operation;
      this._fields = spec.inData ? { inData: {} } : {};
      for (const [setter, [field]] of Object.entries(spec.fields)) {
        this[setter] = (value) => { this._fields[field] = value; return this; };
      }
      if (spec.inData) {
        const inData = { setInDataValueByAttribute: (name, value) => { this._inData()[name] = value; return inData; } };
        for (const [setter, field] of Object.entries(IN_DATA_SETTERS)) {
          inData[setter] = (value) => inData.setInDataValueByAttribute(field, value);
        }
        this.getInData = () => inData;
      }
    }

    getOperationName() { return this._operation; }

    _inData() {
      // setInputData() may have replaced the object; write into whatever is there now.
      if (!isPlainObject(this._fields.inData)) this._fields.inData = {};
      return this._fields.inData;
    }

    _problems() {
      const spec = OPERATIONS[this._operation];
      const fields = this._fields;
      const problems = [];
      for (const [setter, [field, type]] of Object.entries(spec.fields)) {
        if (isSet(fields[field])) {
          const problem = typeProblem(field, fields[field], type);
          if (problem) problems.push(["invalid-field", `${setter}(): ${problem}`]);
        }
      }
      for (const path of spec.required) {
        const [head, key] = path.split(".");
        const value = key ? (isPlainObject(fields[head]) ? fields[head][key] : undefined) : fields[head];
        if (!isSet(value)) problems.push(["missing-field", `${path} is required`]);
      }
      const direction = fields.inData?.SVCMCA_COMMUNICATION_DIRECTION;
      if (isSet(direction) && !DIRECTIONS.includes(direction)) {
        problems.push(["invalid-field", `inData.SVCMCA_COMMUNICATION_DIRECTION must be one of ${DIRECTIONS.join(", ")}`]);
      }
      return problems.length ? problems : this._stateProblems();
    }

    _stateProblems() {
      const { eventId, inData, commUuid } = this._fields;
      if (this._operation === "newCommEvent" && openCalls.has(eventId)) {
        return [["duplicate-event-id", `eventId ${eventId} is already an open call; use one eventId per call`]];
      }
      if (this._operation === "outboundCommError" && !outgoingUuids.has(commUuid)) {
        return [["unknown-comm-uuid", `commUuid ${commUuid} is not the uuid of an onOutgoingEvent`]];
      }
      if (!OPERATIONS[this._operation].correlate) return [];
      const outData = openCalls.get(eventId);
      if (!outData) return [["unknown-comm-event", `no answered newCommEvent has eventId ${eventId}`]];
      const missing = Object.keys(outData).filter((key) => JSON.stringify(inData[key]) !== JSON.stringify(outData[key]));
      return missing.length
        ? [["outdata-mismatch", `inData must carry the outData of newCommEvent ${eventId}; missing or changed: ${missing.join(", ")}`]]
        : [];
    }

    _payload() {
      const data = { channel: CHANNEL, channelType: CHANNEL_TYPE };
      for (const [field, value] of Object.entries(this._fields)) {
        if (value !== undefined) data[field] = clone(value);
      }
      if (this._operation === "getConfigurationOperation") data.configType ??= "TOOLBAR";
      return data;
    }
  }

  class SubscriptionRequest {
    constructor(event) { this._event = event; this._appClassification = null; }
    setAppClassification(value) { this._appClassification = value; return this; }
    getEventName() { return this._event; }
  }

  const requestHelper = {
    createPublishRequest(operation) {
      if (!OPERATIONS[operation]) {
        const hint = OPERATIONS[`${operation}Operation`] ? ` (did you mean '${operation}Operation'?)` : "";
        throw violation("unknown-operation", `'${operation}' is no UEF operation${hint}; known: ${Object.keys(OPERATIONS).join(", ")}`);
      }
      return new OperationRequest(operation);
    },
    createSubscriptionRequest(event) {
      if (!EVENTS[event]) {
        throw violation("unknown-event", `'${event}' is no UEF event; known: ${Object.keys(EVENTS).join(", ")}`);
      }
      return new SubscriptionRequest(event);
    },
  };

  // ---- Publishing ----
  function publish(provider, request) {
    if (provider._disposed) return Promise.reject(violation("disposed", "publish() after provider.dispose(); call initialize() again"));
    if (!(request instanceof OperationRequest)) {
      return Promise.reject(violation("invalid-field", `publish() takes a request from createPublishRequest(), got ${describe(request)}`));
    }
    const operation = request._operation;
    const problems = request._problems();
    if (problems.length) {
      const [rule] = problems[0];
      const message = `${operation}: ${problems.map(([, text]) => text).join("; ")}`;
      return Promise.reject(violation(rule, message, { operation }));
    }
    const data = request._payload();
    return transport.request(OPERATIONS[operation].method, data).then((reply) => {
      remember(operation, data, reply);
      return operationResponse(operation, reply);
    });
  }

  function remember(operation, data, reply) {
    if (reply.result !== "success") {
      console.error(`[UEF stand-in] the host refused ${operation}: ${reply.error?.message ?? reply.error}`);
    } else if (operation === "newCommEvent") {
      openCalls.set(data.eventId, clone(reply.outData ?? {}));
    } else if (operation === "closeCommEvent" && (data.reason !== "WRAPUP" || wrappingUp.has(data.eventId))) {
      forgetCall(data.eventId);
    } else if (operation === "closeCommEvent") {
      wrappingUp.add(data.eventId); // a later closeCommEvent (ENDCOMMUNICATION) ends the wrap-up
    }
  }

  function forgetCall(eventId) {
    openCalls.delete(eventId);
    wrappingUp.delete(eventId);
  }

  // ---- Subscriptions and events ----
  function subscribe(provider, request, callback, once) {
    if (provider._disposed) throw violation("disposed", "subscribe() after provider.dispose(); call initialize() again");
    if (!(request instanceof SubscriptionRequest)) {
      throw violation("invalid-field", `subscribe() takes a request from createSubscriptionRequest(), got ${describe(request)}`);
    }
    const event = request._event;
    if (typeof callback !== "function") throw violation("invalid-field", `${event}: the callback must be a function, got ${describe(callback)}`);
    if (EVENTS[event].needsAppClassification && !isSet(request._appClassification)) {
      throw violation("missing-app-classification", `${event}: App Classification missing in payload (call setAppClassification('ORA_SERVICE') on the subscription request)`, { event });
    }
    const problem = isSet(request._appClassification) && typeProblem("appClassification", request._appClassification, APP_CLASSIFICATIONS);
    if (problem) throw violation("invalid-field", `${event}: ${problem}`, { event });
    const subscription = { event, callback, once, provider, dispose: () => subscribers.get(event).delete(subscription) };
    subscribers.get(event).add(subscription);
    provider._subscriptions.add(subscription);
    // Tell the host, as the legacy library registers its listeners; the acknowledgement is not awaited.
    transport.request(event, { channel: CHANNEL, channelType: CHANNEL_TYPE, appClassification: request._appClassification });
    return { dispose: subscription.dispose };
  }

  function dispatch(message) {
    const event = message.method;
    const data = eventData(message);
    if (event === "onOutgoingEvent") outgoingUuids.add(data.uuid);
    if (event === "onDataUpdated" && data.outData?.updateType === "WRAPUP_CLOSED") forgetCall(data.eventId);
    const current = [...subscribers.get(event)];
    if (!current.length) console.warn(`[UEF stand-in] ${event} arrived with no subscriber`);
    for (const subscription of current) {
      if (subscription.once) subscription.dispose();
      if (EVENTS[event].controllable) runCommand(event, message, data, subscription.callback);
      else runListener(event, data, subscription.callback);
    }
  }

  // Oracle's IMcaEventData: what every event's getData() has, whatever the host put in data.
  function eventData(message) {
    return {
      channel: CHANNEL, channelType: CHANNEL_TYPE, method: message.method, toolbarName: message.toolbarName,
      uuid: message.uuid, ...clone(message.data ?? {}),
    };
  }

  // ---- Responses: Oracle's getters, plus the raw responseDetails third parties read ----
  function operationResponse(operation, reply) {
    const data = {
      getData: () => clone(reply),
      isSuccess: () => reply.result === "success",
      getError: () => reply.error ?? null,
    };
    if (operation === "getConfigurationOperation") data.getConfiguration = () => configuration(reply.configuration ?? {});
    if (OPERATIONS[operation].inData) data.getOutData = data.getOutputData = () => clone(reply.outData ?? {});
    return { getResponseData: () => data, responseDetails: { data: { payload: clone(reply) } } };
  }

  function configuration(config) {
    return {
      getAgentId: () => config.agentId ?? null,
      getAgentPartyId: () => config.agentPartyId ?? null,
      getFeatures: () => clone(config.features ?? []),
      getCompanionPanelUrl: () => config.companionPanelUrl ?? null,
      getCompanionPanelTitle: () => config.companionPanelTitle ?? null,
      getFaTrustToken: () => config.faTrustToken ?? null,
    };
  }

  const eventResponse = (details, responseData) => ({ getResponseData: () => responseData, responseDetails: details });

  function runListener(event, data, callback) {
    const responseData = {
      getData: () => clone(data), getEventId: () => data.eventId ?? null, getOutData: () => clone(data.outData ?? {}),
    };
    const outputData = EVENTS[event].outputData;
    responseData.getOutputData = outputData ? () => outputData(clone(data.outData ?? {})) : responseData.getOutData;
    try {
      callback(eventResponse(clone(data), responseData));
    } catch (error) {
      violation("callback-failed", `${event}: the callback threw ${error}`, { event });
    }
  }

  // Controllable events: the toolbar answers through the response data's setters.
  const commandStates = new WeakMap(); // response data object -> {result, resultDisplayString, outData}

  function commandData(data) {
    const state = { result: UNSET_RESULT, resultDisplayString: null, outData: null };
    const responseData = {
      getData: () => clone({ ...data, ...state }),
      getCommand: () => data.command,
      getCommandId: () => data.commandId,
      getEventId: () => data.eventId ?? null,
      getSlot: () => data.slot ?? null,
      getInData: () => clone(data.inData ?? {}),
      getResult: () => state.result,
      getResultDisplayString: () => state.resultDisplayString,
      getOutdata: () => state.outData,
      setResult: (value) => { state.result = value; },
      setResultDisplayString: (value) => { state.resultDisplayString = value; },
      setOutdata: (value) => { state.outData = value; },
    };
    commandStates.set(responseData, state);
    return responseData;
  }

  function runCommand(event, message, data, callback) {
    const detail = { event, command: data.command, commandId: data.commandId };
    const what = `${event} '${data.command}'`;
    let returned;
    try {
      returned = callback(eventResponse({ ...clone(data), result: UNSET_RESULT }, commandData(data)));
    } catch (error) {
      violation("callback-failed", `${what}: the callback threw ${error}`, detail);
      return;
    }
    if (!(returned instanceof Promise)) {
      violation("not-a-promise", `${what}: the callback must return a Promise resolving the response data ` +
        `after setResult(); it returned ${describe(returned)}`, detail);
      return;
    }
    returned.then(
      (value) => respond(event, message, value, detail),
      (error) => violation("callback-failed", `${what}: the callback's Promise rejected: ${error}`, detail),
    );
  }

  function respond(event, message, value, detail) {
    // Oracle's samples resolve the response data; some resolve the mutated responseDetails.
    const outcome = commandStates.get(value) ?? (isPlainObject(value) ? value : {});
    const what = `${event} '${detail.command}'`;
    if (!isSet(outcome.result) || outcome.result === UNSET_RESULT) {
      violation("command-result-unset", `${what}: the Promise resolved ${describe(value)} with no result; ` +
        "call setResult('success') on the response data and resolve it", detail);
      return;
    }
    const outData = outcome.outData ?? null;
    if (outData !== null && !isPlainObject(outData)) {
      violation("invalid-field", `${what}: ${typeProblem("outData", outData, "object")}`, detail);
      return;
    }
    transport.post(EVENTS[event].response, {
      ...clone(message.data),
      result: outcome.result,
      resultDisplayString: outcome.resultDisplayString ?? null,
      outData: clone(outData),
    }, message.uuid);
  }


  // ---- Provider and contexts ----
  class PhoneContext {
    constructor(provider) { this._provider = provider; }
    publish(request) { return publish(this._provider, request); }
    subscribe(request, callback) { return subscribe(this._provider, request, callback, false); }
    subscribeOnce(request, callback) { return subscribe(this._provider, request, callback, true); }
    dispose() { this._provider._disposeSubscriptions(); }
    getSupportedEvents() { return Object.keys(EVENTS); }
    getSupportedActions() { return Object.keys(OPERATIONS); }
    getChannelType() { return CHANNEL; }
    getChannel() { return CHANNEL; }
    getFrameOrigin() { return transport.origin; }
    getToolbarName() { return transport.toolbarName; }
    getVersion() { return MCA_VERSION; }
  }

  class Provider {
    constructor(applicationName) {
      this.requestHelper = requestHelper;
      this._applicationName = applicationName;
      this._subscriptions = new Set();
      this._disposed = false;
      this._phone = new PhoneContext(this);
    }
    getVersion() { return "v1"; }
    getApplicationName() { return this._applicationName; }
    getMultiChannelAdaptorContext() {
      const phone = this._phone;
      return Promise.resolve({
        getActiveChannels: () => Promise.resolve([CHANNEL]),
        getCommunicationChannelContext(channel) {
          if (channel === CHANNEL) return Promise.resolve(phone);
          return Promise.reject(violation("invalid-field", `channel ${describe(channel)} is not supported; the sandbox has 'PHONE' only`));
        },
      });
    }
    _disposeSubscriptions() {
      for (const subscription of this._subscriptions) subscription.dispose();
      this._subscriptions.clear();
    }
    dispose() {
      this._disposeSubscriptions();
      this._disposed = true;
    }
  }

  function initialize(applicationName, version = "v1") {
    if (typeof applicationName !== "string" || !applicationName) {
      return Promise.reject(violation("invalid-field", `initialize() needs an application name, got ${describe(applicationName)}`));
    }
    if (version !== "v1") {
      return Promise.reject(violation("invalid-field", `initialize() supports version 'v1' only, got ${describe(version)}`));
    }
    try {
      transport.start();
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(new Provider(applicationName));
  }

  window.CX_SVC_UI_EVENTS_FRAMEWORK = { uiEventsFramework: { initialize } };
})();
