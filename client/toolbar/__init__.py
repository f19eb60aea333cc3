"""The Twilio Voice toolbar for Oracle Fusion Service, in Python (PyScript).

The tree shows what runs where:

core/ (browser-free: decides everything; CPython and MicroPython tests run it)
    toolbar        Toolbar: owns both machines and the status line; every input is a method
    machine        AgentMachine: the agent's intent against the Device's reality
    calls          CallMachine: one call at a time, what Fusion was told about it
    states         the agent machine's phases
    calldefs       the call machine's phases, directions and SDK call actions
    effects        Effect and every kind of effect the shell carries out
    status         Status and the one StatusLine
    messages       every sentence the agent reads, by message id (client/locales/)
    languages      which language to speak; the reasons' words in it
    errors         Failure and CallError, raised by the adapters
    twilio_errors  Twilio's error codes, sorted
    numbers        the E.164 check
    origins        fusionOrigins: which pages may frame the toolbar
    fusion_token   when Fusion's faTrustToken is renewed (its exp)
    refusals       the outbound policy's refusals, as Fusion's errorCodes
    payloads       the fields of every UEF request and command answer
    presentation   the view model
    settings       the client settings, declared once (TOOLBAR_CONFIG)
    tokens         the token service's answers (/token, /dial-check)
controller   Controller: the shell that carries out effects (browser-free, asyncio)
tasks        spawn: the one way a task starts
adapters/ (the browser, through PyScript's FFI; no decisions)
    ffi                 portable FFI helpers (with client/ffi.js); the only module touching js
    fusion_handler      FusionHandler: Oracle's UEF
    vendor_handler      VendorHandler: Twilio.Device
    cti_vendor_handler  ICtiVendorHandler: what a vendor must provide
    token_client        TokenClient: GET /api/token, POST /api/dial-check
    frame               framing(): oraParentFrame and the framing page's origin
    catalogs            load_catalogs: client/locales/<language>.json
    view, call_view     ToolbarView, CallView: the DOM
app          start(): wiring, in one pass

Oracle's IntegrationActionHandler and IntegrationEventsHandler are the Toolbar's methods.
"""
