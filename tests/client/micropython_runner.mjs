// Run test functions under MicroPython (the build the toolbar ships), in Node. A test that
// returns a coroutine (tests/client/controller_fakes.py's scenario) is awaited.
// Usage: node micropython_runner.mjs <micropython.mjs> <client dir> <tests dir> <module>...
// Prints one JSON line: {implementation, results: [[module, test, null | traceback], ...]}.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [micropython, clientDir, testsDir, ...modules] = process.argv.slice(2);
const { loadMicroPython } = await import(micropython);
let output = "";
const mp = await loadMicroPython({ stdout: (line) => { output += line + "\n"; }, linebuffer: true });

function copyPython(from, to) {
  mp.FS.mkdirTree(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyPython(join(from, entry.name), join(to, entry.name));
    else if (entry.name.endsWith(".py")) {
      mp.FS.writeFile(join(to, entry.name), readFileSync(join(from, entry.name)));
    }
  }
}
copyPython(join(clientDir, "toolbar"), "/client/toolbar");
mp.FS.mkdirTree("/client/locales");
for (const name of readdirSync(join(clientDir, "locales"))) {
  mp.FS.writeFile(`/client/locales/${name}`, readFileSync(join(clientDir, "locales", name)));
}
copyPython(testsDir, "/tests");

await mp.runPythonAsync(`
import io, json, sys
sys.path.insert(0, "/client")
sys.path.insert(0, "/tests")
from catalogs import use
results = []
for name in ${JSON.stringify(modules)}:
    module = __import__(name)
    for test in sorted(dir(module)):
        if not test.startswith("test_"):
            continue
        try:
            use("en")  # as tests/client/conftest.py does for CPython
            outcome = getattr(module, test)()
            if type(outcome).__name__ in ("generator", "coroutine"):
                await outcome
            results.append([name, test, None])
        except Exception as error:
            trace = io.StringIO()
            sys.print_exception(error, trace)
            results.append([name, test, trace.getvalue()])
print("RESULTS " + json.dumps({"implementation": sys.implementation.name, "results": results}))
`);
const line = output.split("\n").find((text) => text.startsWith("RESULTS "));
if (!line) {
  console.error(output);
  process.exit(1);
}
console.log(line.slice("RESULTS ".length));
