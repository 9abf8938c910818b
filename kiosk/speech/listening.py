"""The listening loop the UI drives: one answer per `start`, decoded on a background thread.

    loop = ListeningLoop(recognizer, mic, on_result, speaker=speaker,
                         dispatch=lambda f: Clock.schedule_once(lambda dt: f()))
    speaker.speak(prompt, on_done=lambda: loop.start(grammar))

The microphone is opened only when the kiosk is not speaking and paused again as soon as the
answer is in (no self-hearing). `on_result(text, confidence)` gets every final answer, low
confidence included, so the engine can read it back or ask again; an empty text means nothing
was heard before the no-speech timeout. `dispatch` moves the callback onto the UI thread.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from kiosk.speech.audio import AudioSource, MicUnavailable
from kiosk.speech.recognizer import Recognizer

log = logging.getLogger(__name__)


class ListeningLoop:
    """Start/stop listening for one field at a time without blocking the caller."""

    def __init__(self, recognizer: Recognizer, source: AudioSource,
                 on_result: Callable[[str, float], None], *, speaker=None,
                 dispatch: Callable[[Callable[[], None]], None] | None = None,
                 on_error: Callable[[str], None] | None = None):
        self.recognizer = recognizer
        self.source = source
        self.on_result = on_result
        self.on_error = on_error
        self.speaker = speaker
        self.dispatch = dispatch or (lambda f: f())
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def listening(self) -> bool:
        """True while a listen is running."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, grammar: list[str] | None, end_silence_s: float | None = None,
              complete: Callable[[str], bool] | None = None) -> None:
        """Listen for one answer with this grammar (None = free text); replaces a running listen.

        `complete(words_so_far)` is the field kind's end-of-speech test: the answer ends after a
        short pause once it holds, and only after a long pause while it does not.
        `end_silence_s` overrides the pause for this listen (no completeness test then).
        """
        self.stop()
        with self._lock:
            self._cancel = threading.Event()
            self._thread = threading.Thread(target=self._run,
                                            args=(grammar, self._cancel, end_silence_s, complete),
                                            daemon=True, name="listening")
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Abandon the current listen (a tap answered, or the kiosk is about to speak)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._cancel.set()
        try:
            self.source.pause()
        except Exception:  # a broken device must not break stopping
            log.debug("pausing the audio source failed", exc_info=True)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self, grammar, cancel: threading.Event, end_silence_s, complete) -> None:
        # Never listen over our own voice: wait for the prompt to finish first.
        while self.speaker is not None and self.speaker.is_speaking:
            if cancel.wait(0.02):
                return
        try:
            self.source.resume()
            options = {}
            if end_silence_s is not None:
                options["end_silence_s"] = end_silence_s
            if complete is not None:
                options["complete"] = complete
            result = self.recognizer.listen(grammar, self.source, cancel, **options)
        except MicUnavailable as err:
            log.warning("microphone failed: %s", err)
            self._report(str(err))
            return
        except Exception as err:  # recognition must never take the kiosk down
            log.exception("recognition failed")
            self._report(f"{type(err).__name__}: {err}")
            return
        finally:
            try:
                self.source.pause()
            except Exception:
                log.debug("pausing the audio source failed", exc_info=True)
        if cancel.is_set() or not result.final:
            return
        self.dispatch(lambda: self.on_result(result.text, result.confidence))

    def _report(self, why: str) -> None:
        # `why` is bound now: the except clause's name is gone once the dispatched call runs.
        if self.on_error is not None:
            on_error = self.on_error
            self.dispatch(lambda: on_error(why))

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the current listen ends (tests, terminal mode)."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `predicate` until true or timeout (helper for terminal mode and tests)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
