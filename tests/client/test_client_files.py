"""The client's files: vendored paths, modules PyScript loads, the settings' one home in
config.js, boot.js and the README, every client test's docstring, our sounds."""

import ast
import hashlib
import json
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

from test_client_modules import BROWSER_FREE
from toolbar.core import settings

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "client"
VENDOR_PATH = re.compile(r"vendor/([a-z]+)-(\d[\w.]*)/([\w./-]+)")
# vendor folder name -> npm package (scripts/vendor-assets.mjs)
PACKAGES = {
    "pyscript": "@pyscript/core",
    "pyodide": "pyodide",
    "micropython": "@micropython/micropython-webassembly-pyscript",
    "twilio": "@twilio/voice-sdk",
}


def _client_sources():
    for path in CLIENT.rglob("*"):
        if "vendor" in path.relative_to(CLIENT).parts or not path.is_file():
            continue
        if path.suffix in (".html", ".js", ".py", ".css", ".json", ".toml"):
            yield path


def _vendor_references():
    return {(path.name, match.group(0)) for path in _client_sources()
            for match in VENDOR_PATH.finditer(path.read_text())}


def test_client_vendor_paths_exist():
    """Every vendor/<package>-<version>/<file> the client names is there after npm ci."""
    references = _vendor_references()
    assert {ref for _, ref in references} >= {
        "vendor/pyscript-0.7.31/core.js", "vendor/pyodide-314.0.7/pyodide.mjs",
        "vendor/micropython-1.27.0/micropython.mjs", "vendor/twilio-2.18.5/twilio.min.js"}
    missing = [f"{source}: {ref}" for source, ref in sorted(references)
               if not (CLIENT / ref).is_file()]
    assert not missing, "missing (run npm ci, or update the path):\n" + "\n".join(missing)


def test_client_vendor_versions_match_the_lock_file():
    """An upgrade in package.json without updating the client's paths fails here."""
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    for source, ref in sorted(_vendor_references()):
        name, version = VENDOR_PATH.match(ref).group(1, 2)
        locked = lock["node_modules/" + PACKAGES[name]]["version"]
        assert version == locked, f"{source} names {ref}, package-lock.json has {locked}"


def _modules(folder):
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.py"))


def test_client_boot_loads_every_module():
    """boot.js copies exactly the Python modules of client/toolbar/ into the interpreter."""
    boot = (CLIENT / "boot.js").read_text()
    listed = re.search(r"const MODULES = \[(.*?)\];", boot, re.DOTALL).group(1)
    modules = sorted(re.findall(r'"([\w/]+\.py)"', listed))
    assert modules == _modules(CLIENT / "toolbar")


def test_client_boot_runs_the_interpreters_the_settings_name():
    """boot.js's RUNTIMES are keyed by settings.INTERPRETERS, their one home (the sandbox's
    --interpreter choices load it too)."""
    from sandbox.config import INTERPRETERS

    boot = (CLIENT / "boot.js").read_text()
    runtimes = re.search(r"const RUNTIMES = \{(.*?)\n\};", boot, re.DOTALL).group(1)
    assert tuple(re.findall(r"^  (\w+): \{", runtimes, re.MULTILINE)) == settings.INTERPRETERS
    assert INTERPRETERS == settings.INTERPRETERS


def test_client_browser_free_list_is_the_whole_core():
    """test_client_modules checks every module of core/ (and the shell) for browser imports."""
    core = ["toolbar.core." + name[:-3] for name in _modules(CLIENT / "toolbar" / "core")
            if name != "__init__.py"]
    assert sorted(name for name in BROWSER_FREE if name.startswith("toolbar.core.")) == core


def _config_js():
    """client/config.js's TOOLBAR_CONFIG, as the browser evaluates it (in Node)."""
    node = shutil.which("node")
    assert node, "needs node (make setup)"
    script = ("const window = {}; eval(require('fs').readFileSync(process.argv[1], 'utf8'));"
              "console.log(JSON.stringify(window.TOOLBAR_CONFIG));")
    completed = subprocess.run([node, "-e", script, str(CLIENT / "config.js")],
                               capture_output=True, text=True, check=True, timeout=30)
    return json.loads(completed.stdout)


def test_client_config_js_sets_every_setting_to_its_default():
    """config.js has exactly the keys of settings.SPEC, each at its default (required keys
    set), so the deployed file and the spec cannot drift apart."""
    config = _config_js()
    flat = {key: value for key, value in config.items() if key != "twilio"}
    flat.update({"twilio." + key: value for key, value in config["twilio"].items()})
    assert sorted(flat) == sorted(key for key, _, _, _ in settings.SPEC)
    for key, _, default, _ in settings.SPEC:
        if default is settings.REQUIRED:
            assert flat[key], key + " is required"
        elif key in ("twilio.edge",):  # config.js writes the one-name form
            assert [flat[key]] == default, key
        else:
            assert flat[key] == default, key
    settings.Settings(config)  # and it passes the start-up check


def test_client_readme_configuration_table_is_the_generated_one():
    """The README's client configuration table is settings.table(), the command it names."""
    readme = (ROOT / "README.md").read_text()
    assert settings.table() in readme
    completed = subprocess.run([sys.executable, "-m", "toolbar.core.settings", "--table"],
                               cwd=CLIENT, capture_output=True, text=True, check=True, timeout=30)
    assert completed.stdout.strip() == settings.table()


def test_client_every_test_states_its_behaviour():
    """Every client test has a docstring saying what behaviour it checks."""
    missing = []
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and node.name.startswith("test_") and not ast.get_docstring(node)):
                missing.append(path.name + "::" + node.name)
    assert not missing, "no docstring: " + ", ".join(missing)


def test_client_sounds_are_small_local_wavs():
    """The SDK's 15 sounds are short 8 kHz mono files, 150 kB in all."""
    total = 0
    for name in settings.SOUND_FILES.values():
        path = CLIENT / "sounds" / name
        with wave.open(str(path)) as sound:
            assert sound.getnchannels() == 1 and sound.getframerate() == 8000
            assert 0.1 < sound.getnframes() / 8000 <= 3
        total += path.stat().st_size
    assert total < 150_000


def test_client_sounds_are_what_the_script_makes(tmp_path):
    """scripts/make-sounds.py is deterministic and the committed files are its output."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make-sounds.py"), str(tmp_path)],
                   check=True, capture_output=True)
    made = sorted(path.name for path in tmp_path.iterdir())
    assert made == sorted(path.name for path in (CLIENT / "sounds").iterdir())
    for name in made:
        assert (tmp_path / name).read_bytes() == (CLIENT / "sounds" / name).read_bytes(), name


def test_client_sounds_version_is_their_digest():
    """Browsers cache /sounds/* for a year (netlify.toml): changed sounds need new URLs."""

    digest = hashlib.sha256()
    for path in sorted((CLIENT / "sounds").iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    expected = digest.hexdigest()[:12]
    assert settings.SOUNDS_VERSION == expected, f"set SOUNDS_VERSION in settings.py to {expected!r}"
