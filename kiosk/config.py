"""Settings: embedded defaults < kiosk.toml < environment variables, as typed pydantic models.

Environment overrides use `KIOSK_<SECTION>__<KEY>`, e.g. `KIOSK_PRINTER__TYPE=serial` or
`KIOSK_SPEECH__MODEL_PATH=/opt/vosk-model-small-cn-0.22`. `KIOSK_CONFIG` names the toml file,
`KIOSK_DATA_DIR` the data directory.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.catalogue.spec import SiteSpec
from kiosk.errors import KioskError

REPO_DIR = Path(__file__).resolve().parent.parent


class ConfigError(KioskError):
    """The configuration file or an override is invalid; the message names the key and the fix."""

    code = "config"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(_Section):
    """Where and how submissions are kept."""

    db_file: str = "kiosk.db"                 # relative to data_dir
    draft_purge_hours: float = Field(default=72, gt=0, allow_inf_nan=False)
    # Staff secret that unlocks personal data: from this env var, else from secret_file (e.g. on a
    # removable key staff plug in). Needed to create the store; afterwards writing needs only the
    # public key, so the kiosk runs without it and staff actions ask for it.
    secret_env: str = "KIOSK_STAFF_SECRET"
    secret_file: str = ""
    demo: bool = False                        # Quick start only: store marked demo, refused by a real install
    purge_every_hours: float = Field(default=6, gt=0, le=168, allow_inf_nan=False)    # retention + drafts
    backup_dir: str = ""                      # scheduled backups go here (empty = none)
    backup_every_hours: float = Field(default=24, gt=0, le=720, allow_inf_nan=False)
    backup_keep: int = Field(default=7, ge=1, le=365)
    min_free_mb: int = Field(default=50, ge=1)   # less free space = out of service (never a half-saved form)


class SpeechSettings(_Section):
    """Speaking and listening."""

    speaker: Literal["pyttsx3", "silent"] = "pyttsx3"
    voice: str = "cmn-latn-pinyin"
    rate: int = Field(default=130, ge=60, le=250)      # words per minute; slow for older ears
    volume: float = Field(default=1.0, ge=0.0, le=1.0)
    recognizer: Literal["vosk", "none"] = "vosk"
    model_path: str = ""                               # empty = data_dir/models/vosk-model-small-cn-0.22
    microphone: Literal["sounddevice", "none"] = "sounddevice"
    # A handset or headphones: ID and phone read-backs and staff slips are spoken whole. On the
    # public speaker (false) they are spoken as 尾号XXXX while the screen shows the whole value.
    private_audio: bool = False
    reread_after_s: float = Field(default=25.0, gt=0)  # touch-only: a question nobody answers is read again


class PrinterSettings(_Section):
    """The receipt printer."""

    type: Literal["serial", "preview", "memory"] = "preview"
    port: str = "/dev/ttyUSB0"
    baudrate: int = 9600
    flow_control: Literal["none", "rtscts", "xonxoff"] = "none"
    paper_mm: Literal[58, 80] = 80
    encoding: Literal["gb18030", "gbk", "big5", "utf-8"] = "gb18030"
    profile: Literal["native_qr", "raster_qr"] = "native_qr"
    status_url_base: str = ""                          # QR becomes a URL when set
    write_timeout_s: float = Field(default=5.0, gt=0)
    status_query: bool = True                          # printer answers DLE EOT status queries
    status_timeout_s: float = Field(default=0.5, gt=0) # wait this long for a DLE EOT reply
    font_path: str = ""                                # image font for characters the printer lacks; empty = WenQuanYi
    preview_dir: str = ""                              # preview PNGs; empty = data_dir/previews

    @field_validator("paper_mm", mode="before")
    @classmethod
    def _paper_from_env(cls, v):
        # Environment overrides arrive as text; Literal[58, 80] would reject "58".
        return int(v) if isinstance(v, str) and v.strip().isdigit() else v


class UISettings(_Section):
    """The touchscreen."""

    fullscreen: bool = True
    width: int = 1280
    height: int = 800
    idle_warning_s: float = Field(default=90, ge=20)
    extension_s: float = Field(default=60, ge=20)
    max_extensions: int = Field(default=10, ge=10)
    done_return_s: float = Field(default=45, ge=10)
    # Taps ignored this long after a screen changes: a double tap never answers the next screen.
    tap_guard_s: float = Field(default=0.5, ge=0, le=2, allow_inf_nan=False)
    font_path: str = ""                                # empty = find via fontconfig
    # zinnia model for 手写 (Debian tegaki-zinnia-simplified-chinese); missing = no 手写 key
    handwriting_model: str = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"


class StaffSettings(_Section):
    """Assisted mode."""

    idle_logout_s: float = Field(default=180, ge=30, le=3600, allow_inf_nan=False)
    # Bounded: 0, negative, nan or inf would switch the lockout off or lock staff out for ever.
    max_pin_attempts: int = Field(default=5, ge=1, le=20)
    lockout_s: float = Field(default=300, ge=30, le=86400, allow_inf_nan=False)


class SyncSettings(_Section):
    """Sending submissions to the central service (empty url = this kiosk works alone)."""

    url: str = ""                                      # e.g. http://central.lan:8400
    token: str = ""                                    # from `kiosk central add-kiosk KIOSK_ID`
    interval_s: float = Field(default=30, ge=1)        # between rounds while all is well
    timeout_s: float = Field(default=10, gt=0)         # per HTTP request
    batch_size: int = Field(default=50, ge=1, le=500)
    allow_insecure: bool = False                       # plain http:// to a non-loopback host (token in clear)


class IdcardSettings(_Section):
    """The resident ID card reader (GA 467 serial; "twin" is the demo reader; "none" = no reader)."""

    type: Literal["none", "ga467", "twin"] = "none"
    port: str = "/dev/ttyUSB1"
    baud: int = Field(default=115200, ge=9600, le=115200)
    wait_s: float = Field(default=15, ge=3, le=120)    # how long the kiosk waits for a card
    twin_delay_s: float = Field(default=0.8, ge=0)     # the demo reader's pretend read time


class Settings(_Section):
    """Everything the kiosk reads at start-up."""

    data_dir: Path
    forms_dir: Path = REPO_DIR / "forms"
    site: SiteSpec = Field(default_factory=SiteSpec)
    store: StoreSettings = Field(default_factory=StoreSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    printer: PrinterSettings = Field(default_factory=PrinterSettings)
    ui: UISettings = Field(default_factory=UISettings)
    staff: StaffSettings = Field(default_factory=StaffSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    idcard: IdcardSettings = Field(default_factory=IdcardSettings)

    @property
    def db_path(self) -> Path:
        """The SQLite file."""
        return self.data_dir / self.store.db_file

    @property
    def model_path(self) -> Path:
        """The vosk model directory."""
        if self.speech.model_path:
            return Path(self.speech.model_path)
        return self.data_dir / "models" / "vosk-model-small-cn-0.22"


def _env_overrides(environ: dict[str, str]) -> dict:
    out: dict = {}
    for key, value in environ.items():
        if not key.startswith("KIOSK_") or "__" not in key:
            continue
        section, _, name = key[len("KIOSK_"):].lower().partition("__")
        out.setdefault(section, {})[name] = value
    return out


def _merge(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for k, v in extra.items():
        merged[k] = _merge(merged[k], v) if isinstance(v, dict) and isinstance(merged.get(k), dict) else v
    return merged


def load_settings(path: str | os.PathLike | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from defaults, an optional kiosk.toml and the environment."""
    environ = dict(os.environ if environ is None else environ)
    raw: dict = {}
    path = path or environ.get("KIOSK_CONFIG")
    if path is None and Path("kiosk.toml").exists():
        path = "kiosk.toml"
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"{path}: cannot read configuration: {err}") from err
    raw = _merge(raw, _env_overrides(environ))
    raw.setdefault("data_dir", environ.get("KIOSK_DATA_DIR") or platformdirs.user_data_dir("kiosk"))
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise ConfigError(f"{path or 'defaults'}: {problems}") from err
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)   # personal data lives here
    return settings
