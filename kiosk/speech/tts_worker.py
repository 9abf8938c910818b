"""The speech synthesis worker process: pyttsx3 (espeak-ng) renders text to WAV files on request.

Run as `python -m kiosk.speech.tts_worker`. It lives in its own process because espeak-ng can
only be initialised once per process, so a hung engine can only be replaced by killing the
process (the parent's watchdog does that). Protocol: one JSON object per line.
  stdin  {"voice": ..., "rate": ...}                      -> select and verify a voice
         {"text": ..., "path": ..., "voice": ..., "rate": ...}  -> render `text` to WAV at `path`
  stdout {"ok": true, ...} or {"ok": false, "error": ...}

pyttsx3 2.99 quirks handled here: it prints "Audio saved to ..." on stdout (the protocol uses a
private copy of the stdout descriptor, and fd 1 is pointed at stderr); an unknown voice id is
queued and then silently ignored, leaving English (the voice is looked up in the voice list
first, and the engine's current voice is verified after every render); `say()` after
`save_to_file` keeps writing to that file (only `save_to_file` is ever used, with a fresh path).
Volume is always 1.0 here: the player scales it, so cached audio stays valid when it changes.
"""
from __future__ import annotations

import json
import os
import sys


def find_voice(engine, wanted: str) -> str | None:
    """The engine's voice id for `wanted` (matches 'cmn-latn-pinyin' to 'sit/cmn-latn-pinyin')."""
    wanted_l = wanted.lower()
    for v in engine.getProperty("voices"):
        vid = v.id.lower()
        if vid == wanted_l or vid.rsplit("/", 1)[-1] == wanted_l:
            return v.id
    return None


def _written(path: str) -> bool:
    """True when `path` holds more than a WAV header (44 bytes)."""
    return os.path.exists(path) and os.path.getsize(path) > 44


def main() -> int:
    """Serve render requests until stdin closes."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # pyttsx3 prints to stdout; keep that out of the protocol
    sys.stdout = sys.stderr

    def reply(**msg) -> None:
        proto.write(json.dumps(msg, ensure_ascii=False) + "\n")
        proto.flush()

    try:
        import pyttsx3
        from pyttsx3.drivers import _espeak

        engine = pyttsx3.init("espeak")
    except Exception as err:  # no libespeak-ng, broken install
        reply(ok=False, error=f"speech engine would not start: {err}")
        return 1

    def current_voice() -> str:
        v = _espeak.GetCurrentVoice()
        return v.contents.identifier.decode("utf-8").lower() if v and v.contents.name else ""

    selected = {"voice": None, "asked": None}

    def select(voice: str, rate: int) -> str | None:
        if selected["asked"] == (voice, rate) and current_voice() == selected["voice"].lower():
            return None
        vid = find_voice(engine, voice)
        if vid is None:
            return f"voice {voice!r} is not installed in espeak-ng"
        engine.setProperty("voice", vid)
        engine.setProperty("rate", int(rate))
        engine.setProperty("volume", 1.0)
        engine.runAndWait()  # pyttsx3 applies queued properties here
        if current_voice() != vid.lower():
            return f"espeak-ng did not switch to voice {vid!r} (it reports {current_voice()!r})"
        selected["voice"] = vid
        selected["asked"] = (voice, rate)
        return None

    for line in sys.stdin:
        try:
            req = json.loads(line)
            problem = select(req["voice"], req.get("rate", 130))
            if problem:
                reply(ok=False, error=problem, voice_missing=True)
                continue
            if "text" not in req:
                reply(ok=True, voice=selected["voice"])
                continue
            # The rate goes in the same run as the text: a rate queued in an earlier run with no
            # utterance was seen not to apply to the first render (a fast first prompt).
            # pyttsx3 2.99 sometimes writes the WAV header with no frames (seen on a loaded
            # machine, about 1 render in 5): one more try renders it; a second empty file is a
            # failure the parent reports. The caller's path may already exist (an empty temp
            # file), so only the size tells whether audio was written.
            for _attempt in range(3):
                engine.setProperty("rate", int(req.get("rate", 130)))
                engine.save_to_file(req["text"], req["path"])
                engine.runAndWait()
                if _written(req["path"]):
                    break
            if current_voice() != selected["voice"].lower():
                reply(ok=False, error="espeak-ng changed voice while rendering", voice_missing=True)
                continue
            if not _written(req["path"]):
                reply(ok=False, error="espeak-ng produced no audio", no_audio=True)
                continue
            reply(ok=True, path=req["path"])
        except Exception as err:  # keep serving; the parent decides what to do
            reply(ok=False, error=f"{type(err).__name__}: {err}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
