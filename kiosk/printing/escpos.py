"""ESC/POS encoder: receipt content -> exact printer bytes, built command by command.

Why not python-escpos' text path: it never sends `FS &` (Chinese character mode) and turns
strings it cannot map into '?'. So text is encoded here in the configured code (GB18030 by
default) after `FS &`. python-escpos' `EscposImage` is used for the one thing it does well:
PIL image -> 1-bit raster rows for `GS v 0`.

Commands emitted (and understood by `kiosk.printing.preview`):
  ESC @            initialise            FS &  / FS ( C   Chinese mode / UTF-8 mode
  ESC a n          align 0/1/2           GS ! n           character size (w-1)<<4 | (h-1)
  ESC E n          bold                  ESC d n          feed n lines
  LF               print line            GS V 66 n        feed and partial cut
  GS ( k           native QR (model 2, module size, EC level, store, print)
  GS v 0           raster image (raster QR, text the printer font cannot hold)
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import qrcode
from escpos.image import EscposImage
from PIL import Image, ImageChops, ImageDraw, ImageFont

from kiosk.errors import KioskError
from kiosk.printing.textwidth import COLUMN_DOTS, LINE_DOTS, PAPER_DOTS, char_width, columns_for, sanitize, wrap

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"

INIT = ESC + b"@"
KANJI_ON = FS + b"&"
UTF8_ON = FS + b"(C\x02\x000\x02"          # FS ( C fn=48: character encoding = UTF-8
ALIGN = {"left": 0, "center": 1, "right": 2}
QR_EC = {"L": 48, "M": 49, "Q": 50, "H": 51}
QR_EC_LIB = {
    "L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H,
}
CODECS = {"gb18030": "gb18030", "gbk": "gbk", "big5": "big5", "utf-8": "utf-8"}
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
QR_MAX_MODULE = 10
QR_SHARE = 0.55        # the QR may take this share of the paper width


class EncodingError(KioskError, ValueError):
    """Content the encoder cannot place on this paper (e.g. an image wider than the paper)."""

    code = "encoding"


def printable(ch: str, encoding: str) -> bool:
    """True when the printer's own font can print `ch` in this encoding.

    GB18030 encodes every Unicode character, but printer fonts hold only the 1- and 2-byte
    part (GBK repertoire); 4-byte characters (rare characters like 𠀀, emoji) are not in the
    font. With UTF-8 the printer font is assumed to cover the same GBK repertoire.
    """
    if ch == " " or ("\x21" <= ch <= "\x7e"):
        return True
    codec = "gb18030" if encoding == "utf-8" else CODECS[encoding]
    try:
        encoded = ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return len(encoded) <= 2


def qr_fit(data: str, paper_mm: int, ec: str = "M") -> tuple[int, int]:
    """(QR version, module size in dots) so the code takes about QR_SHARE of the paper width."""
    qr = qrcode.QRCode(error_correction=QR_EC_LIB[ec], border=0)
    qr.add_data(data.encode("utf-8"))
    qr.make(fit=True)
    modules = qr.modules_count
    module = int(PAPER_DOTS[paper_mm] * QR_SHARE) // modules
    return qr.version, max(1, min(QR_MAX_MODULE, module))


@functools.lru_cache(maxsize=4)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError as err:
        raise EncodingError(f"cannot open font {path}: {err} (install fonts-wqy-microhei or set printer.font_path)") from err


_GLYPH_MARGIN = LINE_DOTS               # room for a glyph that overhangs its cell


@functools.lru_cache(maxsize=2048)       # about 2 KB each: a few MB at most
def _glyph(ch: str, font_path: str, w: int) -> Image.Image:
    """One character's ink (255 = black) centred in its cell of w columns, with a margin each side."""
    font = _font(font_path, LINE_DOTS - 2)
    img = Image.new("L", (w * COLUMN_DOTS + 2 * _GLYPH_MARGIN, LINE_DOTS), 255)
    # Centre each glyph in its cell, as printer fonts do, so narrow ASCII does not drift.
    offset = max(0, (w * COLUMN_DOTS - font.getlength(ch)) / 2)
    ImageDraw.Draw(img).text((_GLYPH_MARGIN + offset, 1), ch, font=font, fill=0)
    return ImageChops.invert(img)


def render_text_image(text: str, font_path: str = DEFAULT_FONT, width_mult: int = 1, height_mult: int = 1,
                      encoding: str = "gb18030") -> Image.Image:
    """Draw one line of text on the printer's cell grid (12 x 24 dots per column), scaled."""
    cols = max(1, sum(char_width(ch, encoding) for ch in text))
    canvas = Image.new("L", (cols * COLUMN_DOTS + 2 * _GLYPH_MARGIN, LINE_DOTS), 255)
    col = 0
    for ch in text:
        w = char_width(ch, encoding)
        if w:
            # Each glyph is drawn once, then inked through as a mask: the same blend as drawing it.
            ink = _glyph(ch, font_path, w)
            canvas.paste(0, (col * COLUMN_DOTS, 0, col * COLUMN_DOTS + ink.width, LINE_DOTS), ink)
        col += w
    img = canvas.crop((_GLYPH_MARGIN, 0, _GLYPH_MARGIN + cols * COLUMN_DOTS, LINE_DOTS))
    if width_mult != 1 or height_mult != 1:
        img = img.resize((img.width * width_mult, img.height * height_mult), Image.Resampling.NEAREST)
    return img


@dataclass
class _State:
    align: int = 0
    width: int = 1
    height: int = 1
    bold: bool = False


class EscPosEncoder:
    """Builds one print job. Methods append commands; `getvalue()` returns the bytes."""

    def __init__(self, paper_mm: int = 80, encoding: str = "gb18030", profile: str = "native_qr",
                 font_path: str = DEFAULT_FONT) -> None:
        if paper_mm not in PAPER_DOTS:
            raise EncodingError(f"paper_mm must be 58 or 80, not {paper_mm}")
        if encoding not in CODECS:
            raise EncodingError(f"encoding must be one of {sorted(CODECS)}, not {encoding}")
        self.paper_mm = paper_mm
        self.encoding = encoding
        self.profile = profile
        self.font_path = font_path or DEFAULT_FONT
        self._buf = bytearray()
        self._state = _State()

    # -- framing -------------------------------------------------------------------------
    def init(self) -> "EscPosEncoder":
        """ESC @ and the character mode for the configured encoding."""
        self._buf += INIT
        self._buf += UTF8_ON if self.encoding == "utf-8" else KANJI_ON
        self._state = _State()
        return self

    def getvalue(self) -> bytes:
        """The job's bytes so far."""
        return bytes(self._buf)

    def raw(self, data: bytes) -> "EscPosEncoder":
        """Append bytes as they are (tests and self-test only)."""
        self._buf += data
        return self

    # -- modes (sent only when they change, to keep the job short on a 9600-baud line) ---
    def align(self, how: str) -> "EscPosEncoder":
        """ESC a: left / center / right for following lines and images."""
        n = ALIGN[how]
        if n != self._state.align:
            self._buf += ESC + b"a" + bytes([n])
            self._state.align = n
        return self

    def size(self, width: int = 1, height: int = 1) -> "EscPosEncoder":
        """GS !: character width and height multipliers (1-8)."""
        if not (1 <= width <= 8 and 1 <= height <= 8):
            raise EncodingError("character size multipliers are 1-8")
        if (width, height) != (self._state.width, self._state.height):
            self._buf += GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])
            self._state.width, self._state.height = width, height
        return self

    def bold(self, on: bool = True) -> "EscPosEncoder":
        """ESC E: emphasised text."""
        if on != self._state.bold:
            self._buf += ESC + b"E" + bytes([1 if on else 0])
            self._state.bold = on
        return self

    # -- content -------------------------------------------------------------------------
    @property
    def columns(self) -> int:
        """Columns per line at the current character width."""
        return columns_for(self.paper_mm, self._state.width)

    def text(self, text: str) -> "EscPosEncoder":
        """Print text, wrapped at character boundaries to the paper width, ending with LF.

        A wrapped line the printer font cannot fully hold is sent as a raster image of the
        whole line, so the line keeps its place and width instead of printing '?'.
        """
        codec = CODECS[self.encoding]
        for line in wrap(sanitize(text), self.columns, self.encoding):
            if all(printable(ch, self.encoding) for ch in line):
                self._buf += line.encode(codec) + LF
            else:
                self._text_image(line)
        return self

    def _text_image(self, line: str) -> None:
        img = render_text_image(line, self.font_path, self._state.width, self._state.height, self.encoding)
        self.image(img)

    def feed(self, lines: int = 1) -> "EscPosEncoder":
        """ESC d: print and feed n lines."""
        if lines > 0:
            self._buf += ESC + b"d" + bytes([min(lines, 255)])
        return self

    def rule(self, ch: str = "-") -> "EscPosEncoder":
        """A full-width line of `ch` (an ASCII character)."""
        return self.text(ch * self.columns)

    def image(self, img: Image.Image) -> "EscPosEncoder":
        """GS v 0: a raster image, at most the paper width (python-escpos does the bit packing)."""
        if img.width > PAPER_DOTS[self.paper_mm]:
            raise EncodingError(f"image is {img.width} dots wide; paper holds {PAPER_DOTS[self.paper_mm]}")
        im = EscposImage(img)
        header = GS + b"v0\x00" + im.width_bytes.to_bytes(2, "little") + im.height.to_bytes(2, "little")
        self._buf += header + im.to_raster_format()
        return self

    def qr(self, data: str, ec: str = "M") -> "EscPosEncoder":
        """The receipt QR in the profile's way: native `GS ( k` or a raster image."""
        return self.qr_raster(data, ec) if self.profile == "raster_qr" else self.qr_native(data, ec)

    def qr_native(self, data: str, ec: str = "M", module: int | None = None) -> "EscPosEncoder":
        """GS ( k: model 2, module size fitted to the paper, EC level, store data, print."""
        module = module or qr_fit(data, self.paper_mm, ec)[1]
        payload = data.encode("utf-8")
        self._buf += _gs_k(b"A", b"2\x00")                  # model 2
        self._buf += _gs_k(b"C", bytes([module]))           # module size in dots
        self._buf += _gs_k(b"E", bytes([QR_EC[ec]]))        # error correction level
        self._buf += _gs_k(b"P", b"0" + payload)            # store data
        self._buf += _gs_k(b"Q", b"0")                      # print
        return self

    def qr_raster(self, data: str, ec: str = "M", module: int | None = None) -> "EscPosEncoder":
        """GS v 0 image of the QR drawn by the qrcode library, same size as the native one."""
        module = module or qr_fit(data, self.paper_mm, ec)[1]
        qr = qrcode.QRCode(error_correction=QR_EC_LIB[ec], box_size=module, border=0)
        qr.add_data(data.encode("utf-8"))
        qr.make(fit=True)
        return self.image(qr.make_image().get_image().convert("L"))

    def cut(self) -> "EscPosEncoder":
        """GS V 66 n: feed to the cutter and cut partially."""
        self._buf += GS + b"V" + bytes([66, 3])
        return self


def _gs_k(fn: bytes, body: bytes) -> bytes:
    """One `GS ( k` QR function (cn = 49 '1') with its little-endian length."""
    n = len(body) + 2
    return GS + b"(k" + n.to_bytes(2, "little") + b"1" + fn + body
