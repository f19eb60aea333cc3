"""The Twilio Voice toolbar for Oracle Fusion Service, in Python (PyScript).

Laid out as Oracle's reference toolbar is (src/ts/cti/…), around a browser-free core:

Browser-free (CPython tests import them; MicroPython runs them too):
    machine          AgentMachine: the agent's intent against the Device's reality (the core)
    states           the phases and the effects the machine returns
    controller       Controller: runs the machine's effects as tasks, renders
    integration_action_handler   IntegrationActionHandler: the agent's clicks
    integration_events_handler   IntegrationEventsHandler: Twilio and Fusion events
    cti_vendor_handler           ICtiVendorHandler: what a vendor must provide
    payloads         the fields of every UEF request and command answer
    messages         what the agent reads, failure kinds
    presentation     the view model
    settings         TOOLBAR_CONFIG, checked
    tokens           the token service's answers
Browser (PyScript FFI):
    ffi              portable FFI helpers (with client/ffi.js)
    fusion_handler   FusionHandler: Oracle's UEF
    vendor_handler   VendorHandler: Twilio.Device
    token_client     TokenClient: GET /api/token
    view             ToolbarView: the DOM
    app              start(): wiring
"""
