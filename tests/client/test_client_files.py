"""The client's files: vendored paths that exist, modules PyScript loads, our sounds."""

import hashlib
import json
import re
import subprocess
import sys
import wave
from pathlib import Path

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


def test_client_boot_loads_every_module():
    """boot.js copies exactly the Python modules of client/toolbar/ into the interpreter."""
    boot = (CLIENT / "boot.js").read_text()
    listed = re.search(r"const MODULES = \[(.*?)\];", boot, re.DOTALL).group(1)
    modules = sorted(re.findall(r'"([\w]+\.py)"', listed))
    assert modules == sorted(path.name for path in (CLIENT / "toolbar").glob("*.py"))


def test_client_sounds_are_small_local_wavs():
    from toolbar.core.settings import SOUND_FILES

    total = 0
    for name in SOUND_FILES.values():
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
    from toolbar.core.settings import SOUNDS_VERSION

    digest = hashlib.sha256()
    for path in sorted((CLIENT / "sounds").iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    expected = digest.hexdigest()[:12]
    assert SOUNDS_VERSION == expected, f"set SOUNDS_VERSION in settings.py to {expected!r}"
