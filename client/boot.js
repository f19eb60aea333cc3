// Start the toolbar's Python on the interpreter TOOLBAR_CONFIG.interpreter names.
//
// PyScript reads the <script type="py"|"mpy"> elements present when its core module
// loads, so this inserts the one for the chosen interpreter first, then imports PyScript.
// The interpreter is always a URL relative to the page (a bare version would make
// PyScript fetch it from a CDN). The vendored paths carry their versions: after an
// upgrade of package.json, update them here (tests/client/test_client_files.py checks).
// RUNTIMES' names are toolbar/core/settings.py's INTERPRETERS (the same test checks).
const PYSCRIPT = "./vendor/pyscript-0.7.31/core.js";
const RUNTIMES = {
  pyodide: { type: "py", interpreter: "./vendor/pyodide-314.0.7/pyodide.mjs" },
  micropython: { type: "mpy", interpreter: "./vendor/micropython-1.27.0/micropython.mjs" },
};
// The toolbar's Python modules, copied into the interpreter's file system.
const MODULES = [
  "__init__.py", "app.py", "controller.py", "tasks.py",
  "core/__init__.py", "core/calldefs.py", "core/calls.py", "core/effects.py", "core/errors.py",
  "core/fusion_token.py", "core/languages.py", "core/machine.py", "core/messages.py",
  "core/numbers.py", "core/origins.py", "core/payloads.py", "core/presentation.py",
  "core/refusals.py", "core/settings.py", "core/states.py", "core/status.py", "core/tokens.py",
  "core/toolbar.py", "core/twilio_errors.py",
  "adapters/__init__.py", "adapters/call_view.py", "adapters/catalogs.py",
  "adapters/cti_vendor_handler.py", "adapters/ffi.py", "adapters/frame.py",
  "adapters/fusion_handler.py", "adapters/token_client.py", "adapters/vendor_handler.py",
  "adapters/view.py",
];

// An interpreter that fails to load only logs to the console; if Python has not taken over
// the page by then (toolbar/adapters/view.py sets data-python), say so where the agent looks.
const BOOT_TIMEOUT_MS = 60000;

function show(message) {
  const status = document.getElementById("status");
  status.textContent = `The toolbar could not start: ${message}`;
  status.dataset.tone = "error";
  status.dataset.failure = "boot";
}

function fail(message) {
  show(message);
  throw new Error(message);
}

setTimeout(() => {
  if (!document.getElementById("toolbar").dataset.python) {
    show("its Python runtime did not load. Reload the page; if this persists, ask your administrator.");
  }
}, BOOT_TIMEOUT_MS);

// PyScript fetches the Python files only once the interpreter is up, then main.py: request
// them now, so they arrive while the interpreter boots (PyScript's fetch then takes the
// preloaded response: same URL, mode and credentials).
function preload(url) {
  const link = document.createElement("link");
  link.rel = "preload";
  link.as = "fetch";
  link.crossOrigin = "anonymous";
  link.href = url;
  document.head.append(link);
}

// The UEF library too: toolbar/adapters/fusion_handler.py loads it through toolbarFfi.loadScript,
// which hands it the load started here instead of starting another.
function startUefLibrary(config) {
  if (typeof config?.uefLibraryUrl === "string" && Number.isInteger(config.uefTimeoutMs)) {
    window.toolbarFfi.loadScript(config.uefLibraryUrl, config.uefTimeoutMs);
  }
}

const name = window.TOOLBAR_CONFIG?.interpreter ?? "pyodide";
const runtime = RUNTIMES[name] ?? fail(`unknown interpreter "${name}" in config.js`);
const files = Object.fromEntries(MODULES.map((module) => [`./toolbar/${module}`, `./toolbar/${module}`]));
[...Object.keys(files), "./main.py"].forEach(preload);
startUefLibrary(window.TOOLBAR_CONFIG);
const script = document.createElement("script");
script.type = runtime.type;
script.src = "./main.py";
script.setAttribute("config", JSON.stringify({ interpreter: runtime.interpreter, files }));
document.body.append(script);
try {
  await import(PYSCRIPT);
} catch (error) {
  fail(`PyScript did not load (${error.message})`);
}
