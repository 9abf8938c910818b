"""The Kivy app, composition root of the touchscreen kiosk: `run_app(settings) -> int`.

Start-up order matters for the resident: font check, window options, forms and store, then
Home is drawn; the voice and the speech model load on a background thread afterwards, so a
slow model never delays Home (the kiosk is touch-only until they are ready, or for good when
they fail). A restart always shows Home with a fresh visit: no previous answers on screen.
"""
from __future__ import annotations

import logging
import sys
import threading

from kiosk.config import Settings
from kiosk.ui import prepare_kivy
from kiosk.ui.fonts import FontMissing, find_cjk_font

prepare_kivy()

from kivy.app import App

from kiosk.voices import say

log = logging.getLogger(__name__)

# Screen name -> (module, class); built lazily by KioskApp.screen().
SCREENS = {
    "home": ("kiosk.ui.home", "HomeScreen"),
    "question": ("kiosk.ui.question", "QuestionScreen"),
    "review": ("kiosk.ui.review", "ReviewScreen"),
    "done": ("kiosk.ui.done", "DoneScreen"),
    "help": ("kiosk.ui.help", "HelpScreen"),
    "staff_pin": ("kiosk.ui.staff_pin", "StaffPinScreen"),
    "feedback": ("kiosk.ui.staff_feedback", "FeedbackScreen"),
    "staff_menu": ("kiosk.ui.staff_menu", "StaffMenuScreen"),
    "staff_tickets": ("kiosk.ui.staff_tickets", "StaffTicketsScreen"),
    "staff_case": ("kiosk.ui.staff_case", "StaffCaseScreen"),
    "staff_edit": ("kiosk.ui.staff_edit", "StaffEditScreen"),
    "staff_print": ("kiosk.ui.staff_print", "StaffPrintScreen"),
    "staff_day": ("kiosk.ui.staff_day", "StaffDayScreen"),
}

EXIT_FONT = 3
EXIT_STORE = 4


class KioskApp(App):
    """Screens, theme and controller for one kiosk process."""

    title = "kiosk"
    say = staticmethod(say)

    def __init__(self, settings: Settings, runtime, *, speaker=None, print_service=None,
                 load_speech: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.settings = settings
        self.runtime = runtime
        self._speaker = speaker
        self.print_service = print_service
        self.load_speech = load_speech
        self.exiting = False
        self.sync_worker = None
        self.theme = None
        self.controller = None
        self.screens = None
        self.timeout_warning = None
        self.speech_thread: threading.Thread | None = None
        self.staff_mode = None          # kiosk.staff.mode.AssistedMode (needs the SQLite store)
        self.staff = None               # kiosk.ui.staff_flow.StaffFlow: the staff screens' state
        self.guard = None               # kiosk.ui.guard.ResidentGuard: the UI error boundary

    def build(self):
        """Register the font, build every screen, show Home."""
        from kivy.core.window import Window
        from kivy.uix.screenmanager import NoTransition, ScreenManager

        from kiosk.ui.fonts import register_cjk_font
        from kiosk.ui.theme import ThemeState
        from kiosk.ui.window import lock_down

        register_cjk_font(self.settings.ui.font_path)
        self.theme = ThemeState()
        Window.clearcolor = self.theme.bg
        self.theme.bind(bg=lambda _t, c: setattr(Window, "clearcolor", c))
        from kiosk.ui.controller import KioskController
        from kiosk.ui.home import HomeScreen
        from kiosk.ui.timeout import TimeoutWarning

        self.screens = ScreenManager(transition=NoTransition())
        if self.print_service is None:
            self.print_service = make_print_service(self.settings, self.runtime.store)
        self.controller = KioskController(self, self.runtime, speaker=self._speaker,
                                          print_service=self.print_service)
        from kiosk.ui.guard import install as install_guard

        self.guard = install_guard(self._tell_resident)
        self._install_staff()
        self._install_idcard()
        # Home first; the other screens are built in the frames after it is drawn (or at once
        # when something needs one earlier), so the resident sees Home sooner.
        self.screens.add_widget(HomeScreen(name="home"))
        self.screens.get_screen("home").fill(self.runtime.catalogue.forms.values())
        self.timeout_warning = TimeoutWarning()
        lock_down(Window, self)
        from kiosk.ui.touch import guard

        guard.delay = self.settings.ui.tap_guard_s
        guard.install(Window, self.screens)      # bound first: a swallowed tap still counts as activity
        Window.bind(on_touch_down=lambda *_a: self.controller.idle.poke())
        return self.screens

    def _install_idcard(self) -> None:
        """The ID card reader panel when [idcard] type is set; without it IDs are said or keyed."""
        if self.settings.idcard.type == "none":
            return
        try:
            from kiosk.idcard import make_reader
            from kiosk.ui.idcard_prompt import install

            install(self, make_reader(self.settings), self.settings.idcard.wait_s)
        except Exception:
            log.exception("ID card reader panel could not start; IDs are said or keyed")

    def _staff_secret(self) -> str | None:
        """The staff secret at staff login: $KIOSK_STAFF_SECRET or [store] secret_file (a key staff plug in)."""
        from kiosk.store.sqlite import resolve_secret

        return resolve_secret(self.settings)[0]

    def _install_staff(self) -> None:
        """Assisted mode, handoff tickets, the staff chime and feedback (every store has a database)."""
        try:
            from kiosk.staff.mode import AssistedMode
            from kiosk.staff.wiring import install
            from kiosk.ui.staff_chime import Chime
            from kiosk.ui.staff_flow import StaffFlow

            mode = AssistedMode(self.runtime.store, self.settings.site, self.runtime.catalogue.forms,
                                self.settings.staff, printing=self.print_service,
                                secret_source=self._staff_secret)
        except Exception:
            log.exception("assisted mode could not start; the kiosk runs without it")
            return
        self.staff_mode = mode
        self.staff = StaffFlow(self, mode)
        before = list(self.controller.listeners)
        install(self.controller, mode, on_unlocked=self.staff.on_unlocked)
        # The desk's listener is part of the kiosk, not a test's or a tool's: keep it apart so
        # clearing `listeners` (harness.fresh) never silently stops the tickets.
        for listener in [x for x in self.controller.listeners if x not in before]:
            self.controller.listeners.remove(listener)
            self.controller.core_listeners.append(listener)
        entry = self.controller.staff_entry
        entry.core_handler = entry.handler   # survives a test swapping handler
        self.controller.desk = mode.desk
        self.controller.chime = Chime(volume=self.settings.speech.volume)
        self.controller.feedback.box = mode.feedback

    def screen(self, name: str):
        """The screen called `name`, built on first use."""
        if not self.screens.has_screen(name):
            import importlib

            module, cls = SCREENS[name]
            self.screens.add_widget(getattr(importlib.import_module(module), cls)(name=name))
        return self.screens.get_screen(name)

    def _build_rest(self, names: list[str]) -> None:
        """Build one more screen per frame after Home is up."""
        from kivy.clock import Clock

        if names:
            self.screen(names[0])
            Clock.schedule_once(lambda _dt: self._build_rest(names[1:]), 0.02)
        else:
            self._start_speech()

    def on_start(self):
        """Home first, then the other screens, the voice and the speech model in the background."""
        from kivy.clock import Clock

        self.controller.begin()
        Clock.schedule_once(lambda _dt: self._build_rest([n for n in SCREENS if n != "home"]), 0.02)
        self._start_sync()
        # A kiosk runs for weeks: old unfinished drafts are forgotten hourly, not only at start.
        Clock.schedule_interval(lambda _dt: self.runtime.maintain(),
                                self.settings.store.purge_every_hours * 3600)   # drafts + retention

    def _start_sync(self) -> None:
        """Post the outbox to the central service in the background, when one is configured."""
        if not self.settings.sync.url:
            return                      # a single kiosk: nothing to import or start
        from kiosk.dialogue.events import EventType
        from kiosk.sync import start_sync

        try:
            self.sync_worker = start_sync(self.settings, self.runtime.store)
        except Exception:
            log.exception("sync could not start; submissions stay in the outbox")
            return
        if self.sync_worker is not None:
            worker = self.sync_worker
            self.controller.core_listeners.append(
                lambda event: worker.wake() if event.type is EventType.SUBMITTED else None)

    def on_stop(self):
        """Stop the sync thread; what it has not sent stays in the outbox."""
        if self.sync_worker is not None:
            self.sync_worker.stop()
        if self.guard is not None:
            from kiosk.ui.guard import uninstall

            uninstall(self.guard)

    def _tell_resident(self, text: str) -> None:
        """The UI error boundary's notice: shown on the current screen (or Help) and spoken."""
        screen = self.screens.current_screen if self.screens is not None else None
        if screen is not None and hasattr(screen, "show_notice"):
            screen.show_notice(text)
        else:
            self.controller.request_help()
        self.controller.voice.say(text)

    def _start_speech(self) -> None:
        """Voice and model load on a thread: the screen never waits for them."""
        if self.load_speech and self._speaker is None and self.speech_thread is None:
            self.speech_thread = threading.Thread(target=self._load_speech, daemon=True, name="speech-load")
            self.speech_thread.start()

    def _load_speech(self) -> None:
        """Voice, recognizer and microphone; failures leave a touch-only kiosk, never a crash."""
        from kivy.clock import Clock

        speaker = recognizer = mic = None
        reasons = []
        try:
            from kiosk.dialogue.understand import warm_up

            warm_up()     # numeral and pinyin tables, so the first answer does not wait for them
            from kiosk.speech import make_microphone, make_recognizer, make_speaker

            try:
                speaker = make_speaker(self.settings)
            except Exception as err:   # VoiceUnavailable and friends: silent, but say why in the log
                log.error("voice unavailable, the kiosk will not speak: %s", err)
            recognizer, why = make_recognizer(self.settings)
            if why:
                reasons.append(why)
            if recognizer is not None:
                mic, why = make_microphone(self.settings)
                if why:
                    reasons.append(why)
        except Exception:
            log.exception("speech start-up failed; touch only")
        reason = "; ".join(reasons)
        if reason:
            log.warning("touch-only: %s", reason)

        def ready(_dt) -> None:
            self.controller.speech_ready(speaker, recognizer, mic, reason)
            if speaker is not None and self.screens.current == "home":
                self.controller.voice.say(say("welcome"))

        Clock.schedule_once(ready)

    def on_pin_entered(self, pin: str) -> bool | None:
        """Hook for the staff layer: True unlocked, False wrong, None not wired yet."""
        return self.controller.staff_entry.entered(pin)

    def staff_exit(self) -> None:
        """The only way out of the kiosk (called from the staff menu)."""
        self.exiting = True
        if self.controller is not None and self.controller.visit is not None:
            self.controller.visit.end("staff_exit")    # no resident's answers survive the exit
        self.stop()


def make_print_service(settings: Settings, store):
    """The receipt printer service on the store's database, or None when there is none."""
    db = store.db
    try:
        from kiosk.printing.printers import make_printer
        from kiosk.printing.queue import PrintQueue
        from kiosk.printing.service import PrintService

        return PrintService(make_printer(settings), PrintQueue(db), settings.printer)
    except Exception:
        log.exception("printer unavailable; receipts will show on screen only")
        return None


def _open_runtime(settings: Settings):
    from kiosk.runtime import open_runtime

    return open_runtime(settings)


def run_app(settings: Settings) -> int:
    """Open the kiosk window and run until staff exit; returns the process exit code."""
    try:
        find_cjk_font(settings.ui.font_path)
    except FontMissing as err:
        print(f"kiosk: {err}", file=sys.stderr)
        return EXIT_FONT
    from kiosk.ui.window import configure

    configure(settings.ui.width, settings.ui.height, settings.ui.fullscreen)
    from kiosk.scratch import clean_scratch
    from kiosk.store.model import StoreError

    try:
        clean_scratch()    # read-back audio a crash left behind (names, ID numbers) goes first
    except OSError:        # a read-only or full disk: the store check below shows out-of-service
        log.exception("scratch directory not usable")
    try:
        runtime = _open_runtime(settings)
    except StoreError as err:
        # Stay up on the out-of-service screen (Mandarin, help line, fault code for staff): exiting
        # would make systemd restart a black screen every 2 s.
        print(f"kiosk: cannot open the submission store: {err.describe()}", file=sys.stderr)
        from kiosk.ui.out_of_service import OutOfServiceApp

        OutOfServiceApp(settings, err).run()
        return EXIT_STORE
    app = KioskApp(settings, runtime, print_service=make_print_service(settings, runtime.store))
    app.run()
    return 0
