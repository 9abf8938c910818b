"""Pre-rendered prompt audio: voices/cache/<sha256(pronounced text, voice, rate)>.wav.

`kiosk voices build` renders every fixed prompt (catalogue texts without {placeholders} and
every form's intro, prompts and help) so a screen's prompt starts playing at once. A changed
text, voice or rate gives a new key, so stale audio is never played; `build` prunes it.
Read-backs with the resident's answers are never cached (personal data stays off the disk).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kiosk.speech.pronounce import pronounce, pronounce_all
from kiosk.speech.tts import SynthesisError
from kiosk.voices import VOICES_DIR, catalogue

log = logging.getLogger(__name__)

CACHE_DIR = VOICES_DIR / "cache"


def cache_key(text: str, voice: str, rate: int) -> str:
    """sha256 over the text as spoken (after pronounce()), voice and rate."""
    blob = json.dumps([text, voice, int(rate)], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def has_placeholders(text: str) -> bool:
    """True for a str.format template such as '您说的是{answer}，对吗？'."""
    try:
        return any(name is not None for _, name, _, _ in string.Formatter().parse(text))
    except ValueError:
        return False


def _forms(forms_dir: Path) -> list:
    """Form specs from the catalogue loader (empty when it is not available yet)."""
    try:
        from kiosk.catalogue.loader import load_catalogue
    except ImportError:
        log.warning("kiosk.catalogue.loader not available; form prompts not pre-rendered")
        return []
    forms = load_catalogue(forms_dir).forms
    return list(forms.values()) if isinstance(forms, dict) else list(forms)


def fixed_prompts(forms_dir: Path | None = None) -> list[str]:
    """Every fixed spoken text: catalogue texts without placeholders, then form texts."""
    texts: list[str] = []
    for text in catalogue().values():
        if text.strip() and not has_placeholders(text):
            texts.append(text)
    if forms_dir is not None:
        for form in _forms(Path(forms_dir)):
            texts.append(form.intro)
            for f in form.fields:
                texts.append(f.prompt)
                if f.help:
                    texts.append(f.help)
    seen: set[str] = set()
    return [t for t in texts if not (t in seen or seen.add(t))]


@dataclass
class BuildReport:
    """What `build` did."""

    rendered: int = 0
    kept: int = 0
    pruned: int = 0
    failed: int = 0


class PromptCache:
    """WAV files keyed by text, voice and rate."""

    def __init__(self, directory: Path = CACHE_DIR, voice: str = "cmn-latn-pinyin", rate: int = 130):
        self.directory = Path(directory)
        self.voice = voice
        self.rate = rate

    def path_for(self, text: str, rate: int | None = None) -> Path:
        """Where the audio for `text` lives (whether or not it exists).

        The key is the pronounced text, so a corrected reading renders afresh.
        """
        spoken = pronounce(text)
        return self.directory / f"{cache_key(spoken, self.voice, self.rate if rate is None else rate)}.wav"

    def get(self, text: str, rate: int | None = None) -> Path | None:
        """The cached WAV for `text` (at `rate`, default the cache's), or None."""
        p = self.path_for(text, rate)
        return p if p.is_file() else None

    def build(self, texts: Iterable[str], synth, prune: bool = True) -> BuildReport:
        """Render the missing texts with `synth` (a Synthesizer); drop files no text uses."""
        self.directory.mkdir(parents=True, exist_ok=True)
        report = BuildReport()
        wanted: set[str] = set()
        texts = list(texts)
        pronounce_all(texts)           # one espeak-ng run works out every reading (memoised)
        for text in texts:
            target = self.path_for(text)
            wanted.add(target.name)
            if target.is_file():
                report.kept += 1
                continue
            tmp = target.with_suffix(f".{os.getpid()}.tmp.wav")
            try:
                synth.render(pronounce(text), tmp)
                os.replace(tmp, target)  # atomic: a half-written file is never played
                report.rendered += 1
            except SynthesisError as err:  # one bad prompt must not stop the rest
                log.warning("could not pre-render a prompt: %s", err)
                report.failed += 1
            finally:
                tmp.unlink(missing_ok=True)
        if prune:
            for old in self.directory.glob("*.wav"):
                if old.name not in wanted:
                    old.unlink(missing_ok=True)
                    report.pruned += 1
        return report
