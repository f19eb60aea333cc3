"""Write the toolbar's call sounds into client/sounds/ (run once; the WAVs are committed).

The Twilio SDK loads 15 sounds when a Device is created, from Twilio's CDN unless the
``sounds`` option names others. These are ours: small 8 kHz mono 16-bit PCM WAVs of the
usual telephone tones, so neither production nor the sandbox fetches anything from Twilio.
The output is deterministic: running it again changes no byte. Browsers keep the sounds for a
year under URLs carrying ``SOUNDS_VERSION`` (client/toolbar/core/settings.py): after changing them,
update it (tests/client/test_client_files.py names the new value).

Usage: python scripts/make-sounds.py [output folder]
"""

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 8000
AMPLITUDE = 0.28  # per tone; two tones stay below full scale
FADE_S = 0.005  # ramps at both ends of a tone, so it starts and stops without a click

# DTMF: (low, high) Hz per key (ITU-T Q.23).
DTMF = {
    "0": (941, 1336), "1": (697, 1209), "2": (697, 1336), "3": (697, 1477),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "7": (852, 1209),
    "8": (852, 1336), "9": (852, 1477), "star": (941, 1209), "hash": (941, 1477),
}
RING = (440, 480)  # North American ring and ringback


def tone(frequencies, seconds):
    count = int(RATE * seconds)
    fade = int(RATE * FADE_S)
    samples = []
    for i in range(count):
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        value = sum(math.sin(2 * math.pi * f * i / RATE) for f in frequencies)
        samples.append(AMPLITUDE * envelope * value)
    return samples


def silence(seconds):
    return [0.0] * int(RATE * seconds)


def sounds():
    """Return {file name: samples in [-1, 1]}."""
    result = {
        # Looped by the SDK while a call rings: ring 1 s, pause 1.5 s.
        "incoming.wav": tone(RING, 1.0) + silence(1.5),
        # Played once as an outgoing call starts.
        "outgoing.wav": tone(RING, 1.0),
        # Three falling beeps when a call ends.
        "disconnect.wav": tone((620,), 0.12) + silence(0.05) + tone((480,), 0.12)
        + silence(0.05) + tone((350,), 0.16),
    }
    for key, pair in DTMF.items():
        result["dtmf-" + key + ".wav"] = tone(pair, 0.15)
    return result


def write(path, samples):
    frames = b"".join(struct.pack("<h", round(max(-1.0, min(1.0, s)) * 32767)) for s in samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)


def main(argv):
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "client" / "sounds"
    folder.mkdir(parents=True, exist_ok=True)
    for name, samples in sounds().items():
        write(folder / name, samples)
        print(folder / name, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
