"""Speech sub-commands: `kiosk voices build`, `kiosk model install|download`, `kiosk doctor`."""
from __future__ import annotations

import argparse
import sys

from kiosk.config import load_settings


def _settings(args):
    return load_settings(args.config)


def _voices_build(args) -> int:
    from kiosk.speech.cache import CACHE_DIR, PromptCache, fixed_prompts
    from kiosk.speech.tts import Synthesizer, VoiceUnavailable

    settings = _settings(args)
    sp = settings.speech
    texts = fixed_prompts(settings.forms_dir)
    # --every N (tests): render every Nth prompt only, and keep the rest of the cache as it is.
    chosen = texts[::args.every] if args.every > 1 else texts
    cache = PromptCache(args.cache_dir or CACHE_DIR, sp.voice, sp.rate)
    synth = Synthesizer(sp.voice, sp.rate)
    try:
        synth.start()
        rep = cache.build(chosen, synth, prune=not args.keep and chosen is texts)
    except VoiceUnavailable as err:
        print(f"kiosk voices build: {err}", file=sys.stderr)
        return 1
    finally:
        synth.close()
    print(f"{len(chosen)} prompts: {rep.rendered} rendered, {rep.kept} already cached, "
          f"{rep.pruned} stale removed, {rep.failed} failed -> {cache.directory}")
    return 1 if rep.failed else 0


def _expected(args):
    from kiosk.speech.model import Expected

    default = Expected()
    return Expected(args.expect_size or default.size, args.expect_sha256 or default.sha256)


def _model_install(args) -> int:
    from kiosk.speech.model import ModelInstallError, install_zip

    settings = _settings(args)
    target = args.target or settings.model_path
    try:
        path = install_zip(args.zip, target, _expected(args))
    except ModelInstallError as err:
        print(f"kiosk model install: {err}", file=sys.stderr)
        return 1
    print(f"speech model installed at {path}")
    return 0


def _model_download(args) -> int:
    from kiosk.speech.model import MODEL_URL, ModelInstallError, download

    settings = _settings(args)
    target = args.target or settings.model_path
    try:
        path = download(args.url or MODEL_URL, target, _expected(args), timeout_s=args.timeout)
    except ModelInstallError as err:
        print(f"kiosk model download: {err}", file=sys.stderr)
        return 1
    print(f"speech model installed at {path}")
    return 0


def _doctor(args) -> int:
    from kiosk.doctor import report, run_checks

    text, code = report(run_checks(_settings(args)))
    print(text)
    return code


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", help="install here instead of the configured model directory")
    # Hidden: tests install small zips with their own size and checksum.
    p.add_argument("--expect-size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--expect-sha256", help=argparse.SUPPRESS)


def register(sub: argparse._SubParsersAction) -> None:
    """Add voices, model and doctor."""
    p = sub.add_parser("voices", help="prompt audio")
    vs = p.add_subparsers(dest="voices_command", metavar="ACTION", required=True)
    b = vs.add_parser("build", help="pre-render every fixed prompt to voices/cache/")
    b.add_argument("--cache-dir", help=argparse.SUPPRESS)
    b.add_argument("--keep", action="store_true", help="do not remove stale cached audio")
    b.add_argument("--every", type=int, default=1, help=argparse.SUPPRESS)
    b.set_defaults(func=_voices_build)

    p = sub.add_parser("model", help="install the Mandarin speech model (vosk-model-small-cn-0.22)")
    ms = p.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    i = ms.add_parser("install", help="install from a local zip (size and sha256 verified)")
    i.add_argument("--zip", required=True, help="path to vosk-model-small-cn-0.22.zip")
    _model_args(i)
    i.set_defaults(func=_model_install)
    d = ms.add_parser("download", help="download, verify and install")
    d.add_argument("--url", help="where to download from (default: alphacephei.com)")
    d.add_argument("--timeout", type=float, default=30.0, help="network timeout in seconds")
    _model_args(d)
    d.set_defaults(func=_model_download)

    p = sub.add_parser("doctor", help="check voice, model, microphone, printer, font and storage")
    p.set_defaults(func=_doctor)
