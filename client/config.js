// The toolbar's configuration, read once at start-up by toolbar/core/settings.py (which
// declares and checks every key). Deployed as is: edit the values for your deployment. The sandbox serves this
// file followed by its own overrides (sandbox/web.py).
window.TOOLBAR_CONFIG = {
  // The Python that runs the toolbar: "pyodide" (CPython in WebAssembly, ~2 s to start)
  // or "micropython" (~0.2 s). The one line to change; client/boot.js does the rest.
  interpreter: "pyodide",

  // Oracle's UI Events Framework client library, and the name the toolbar gives it.
  uefLibraryUrl: "https://static.oracle.com/cdn/ui-events-framework/libs/ui-events-framework-client.js",
  applicationName: "TwilioVoiceToolbar",
  // The Fusion pages allowed to frame the toolbar (exact origins, or "https://*." and a
  // domain); framed by anything else, the toolbar does not start. Narrow it to your own
  // pods, e.g. ["https://acme.fa.us2.oraclecloud.com"], and netlify.toml's frame-ancestors too.
  fusionOrigins: ["https://*.oraclecloud.com"],
  // How long Fusion may take to answer a UEF request before the agent is told.
  uefTimeoutMs: 10000,

  // The token service (same origin: Netlify proxies /api/* to it, see netlify.toml).
  tokenUrl: "/api/token",
  tokenTimeoutMs: 10000,

  // How long going available may take (token, then Twilio registration) before giving up.
  registerTimeoutMs: 20000,
  // How long going unavailable waits for Twilio to confirm, before closing the connection.
  unregisterTimeoutMs: 5000,

  // The toolbar's language: a catalog in locales/ (e.g. "ja"), used when the toolbar's URL
  // has no ?lang=; null: the browser's languages, then English.
  language: null,
  // The not-ready reasons agents choose from: {code, label: {en: "…", ja: "…"}}; without a
  // label, a code's words are the catalog's reason.<code>.
  reasons: [{ code: "BREAK" }, { code: "LUNCH" }, { code: "MEETING" }, { code: "TRAINING" }],
  // After-call work: seconds after a call during which no new call rings (0: none).
  wrapupSeconds: 60,

  // Twilio Voice SDK (Twilio.Device options).
  twilio: {
    // Twilio edge location(s): a name or a list. Keep netlify.toml's connect-src in step
    // (wss://voice-js.<edge>.twilio.com).
    edge: "roaming",
    // host:port of a signaling server instead of Twilio's (the SDK's chunderw); testing only.
    signaling: null,
    // Send call-quality events to Twilio Insights.
    publishEvents: true,
    // The ring, ringback, disconnect and DTMF sounds (client/sounds/, made by
    // scripts/make-sounds.py); null loads Twilio's from its CDN (then allow it in the CSP).
    soundsUrl: "./sounds/",
    codecPreferences: ["opus", "pcmu"],
    // Ask before the page closes during a call.
    closeProtection: true,
    // tokenWillExpire fires this long before the Access Token expires; keep it well below
    // the token service's TTL.
    tokenRefreshMs: 10000,
    // The SDK's console logging: "error", "warn", "info" or "debug".
    logLevel: "error",
  },
};
