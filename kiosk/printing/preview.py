"""ESC/POS bytes -> PNG: a small interpreter for exactly the commands `escpos.py` emits.

The preview is drawn from the bytes that would go to the printer, never from the receipt
model, so what the docs and a printer-less kiosk show is what the paper would show. Unknown
commands raise `PreviewError` instead of being skipped, so an encoder change that the
interpreter does not understand fails the tests.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import qrcode
from PIL import Image, ImageDraw

from kiosk.errors import KioskError
from kiosk.printing.escpos import CODECS, DEFAULT_FONT, QR_EC, QR_EC_LIB, render_text_image
from kiosk.printing.textwidth import LINE_DOTS, PAPER_DOTS

LINE_GAP = 6          # dots between printed lines (the printer's default line spacing is ~30 dots)
MARGIN = 16           # white border around the paper so QR readers see a quiet zone
_EC_BY_BYTE = {v: k for k, v in QR_EC.items()}


class PreviewError(KioskError, ValueError):
    """The bytes hold a command this interpreter does not know, or are truncated."""

    code = "preview"


@dataclass
class _Page:
    width: int
    blocks: list[Image.Image] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)      # decoded text lines, for tests

    def add(self, img: Image.Image, align: int) -> None:
        strip = Image.new("L", (self.width, img.height), 255)
        x = {0: 0, 1: (self.width - img.width) // 2, 2: self.width - img.width}[align]
        strip.paste(img, (max(0, x), 0))
        self.blocks.append(strip)

    def gap(self, dots: int) -> None:
        if dots > 0:
            self.blocks.append(Image.new("L", (self.width, dots), 255))

    def image(self) -> Image.Image:
        height = sum(b.height for b in self.blocks)
        out = Image.new("L", (self.width + 2 * MARGIN, height + 2 * MARGIN), 255)
        y = MARGIN
        for b in self.blocks:
            out.paste(b, (MARGIN, y))
            y += b.height
        return out


@dataclass
class Rendered:
    """What the interpreter saw: the page image, text lines, QR payloads and cut count."""

    image: Image.Image
    lines: list[str]
    qr_payloads: list[str]
    images: int
    cuts: int


def render(data: bytes, paper_mm: int = 80, encoding: str = "gb18030", font_path: str = DEFAULT_FONT) -> Rendered:
    """Interpret a print job and draw it on a paper-width image."""
    return _Interpreter(data, paper_mm, encoding, font_path or DEFAULT_FONT).run()


def render_png(data: bytes, path: str | os.PathLike[str], paper_mm: int = 80, encoding: str = "gb18030", font_path: str = DEFAULT_FONT) -> Rendered:
    """Interpret a print job and save the page as PNG at `path`."""
    rendered = render(data, paper_mm, encoding, font_path)
    rendered.image.save(path, format="PNG")
    return rendered


class _Interpreter:
    def __init__(self, data: bytes, paper_mm: int, encoding: str, font_path: str) -> None:
        self.data = data
        self.pos = 0
        self.codec = CODECS[encoding]
        self.encoding = encoding
        self.font_path = font_path
        self.page = _Page(PAPER_DOTS[paper_mm])
        self.qr_payloads: list[str] = []
        self.images = 0
        self.cuts = 0
        self._reset()
        self.qr_data = b""
        self.qr_module = 3
        self.qr_ec = "L"

    def _reset(self) -> None:
        self.align = 0
        self.width = self.height = 1
        self.line = bytearray()

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise PreviewError(f"truncated command at byte {self.pos}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def run(self) -> Rendered:
        while self.pos < len(self.data):
            b = self.take(1)
            if b == b"\n":
                self.flush(force=True)
            elif b == b"\x1b":
                self.esc(self.take(1))
            elif b == b"\x1d":
                self.gs(self.take(1))
            elif b == b"\x1c":
                self.fs(self.take(1))
            elif b == b"\x10":
                self.take(2)                 # DLE EOT n: status query, nothing printed
            elif b[0] < 0x20 or b[0] == 0x7f:
                raise PreviewError(f"unexpected control byte {b.hex()} at {self.pos - 1}")
            else:
                self.line += b
        self.flush(force=False)
        return Rendered(self.page.image(), self.page.lines, self.qr_payloads, self.images, self.cuts)

    # -- text --------------------------------------------------------------------------
    def flush(self, force: bool) -> None:
        if not self.line and not force:
            return
        try:
            text = bytes(self.line).decode(self.codec)
        except UnicodeDecodeError as err:
            raise PreviewError(f"text is not valid {self.codec}: {err}") from err
        self.line.clear()
        self.page.lines.append(text)
        if text:
            img = render_text_image(text, self.font_path, self.width, self.height, self.encoding)
            if img.width > self.page.width:
                raise PreviewError(f"line wider than the paper ({img.width} > {self.page.width} dots): {text!r}")
        else:
            img = Image.new("L", (1, LINE_DOTS * self.height), 255)
        self.page.add(img, self.align)
        self.page.gap(LINE_GAP)

    def feed_lines(self, n: int) -> None:
        self.page.gap(n * (LINE_DOTS + LINE_GAP))

    # -- commands ----------------------------------------------------------------------
    def esc(self, c: bytes) -> None:
        if c == b"@":
            self.flush(force=False)
            self._reset()
        elif c == b"a":
            n = self.take(1)[0]
            self.align = n - 48 if n >= 48 else n      # both 0-2 and '0'-'2' are valid
        elif c == b"E":
            self.take(1)                     # bold: drawn at normal weight
        elif c == b"d":
            self.flush(force=False)
            self.feed_lines(self.take(1)[0])
        else:
            raise PreviewError(f"unknown command ESC {c!r} at {self.pos - 2}")

    def fs(self, c: bytes) -> None:
        if c in (b"&", b"."):
            return                           # Chinese mode on / off: decoding follows `encoding`
        if c == b"(":
            fn = self.take(1)
            n = int.from_bytes(self.take(2), "little")
            if fn != b"C":
                raise PreviewError(f"unknown command FS ( {fn!r}")
            self.take(n)
            return
        raise PreviewError(f"unknown command FS {c!r} at {self.pos - 2}")

    def gs(self, c: bytes) -> None:
        if c == b"!":
            n = self.take(1)[0]
            self.width, self.height = (n >> 4) + 1, (n & 0x0F) + 1
        elif c == b"V":
            self.flush(force=False)
            m = self.take(1)[0]
            if m in (65, 66):
                self.take(1)
            self.cut()
        elif c == b"v":
            self.raster()
        elif c == b"(":
            fn = self.take(1)
            n = int.from_bytes(self.take(2), "little")
            body = self.take(n)
            if fn != b"k":
                raise PreviewError(f"unknown command GS ( {fn!r}")
            self.qr_function(body)
        else:
            raise PreviewError(f"unknown command GS {c!r} at {self.pos - 2}")

    def raster(self) -> None:
        if self.take(1) != b"0":
            raise PreviewError("only GS v 0 raster images are supported")
        self.flush(force=False)
        self.take(1)                                       # density: normal
        wb = int.from_bytes(self.take(2), "little")
        h = int.from_bytes(self.take(2), "little")
        bits = self.take(wb * h)
        img = Image.frombytes("1", (wb * 8, h), bits)      # 1 = black dot on paper
        img = Image.eval(img.convert("L"), lambda v: 255 - v)
        if img.width > self.page.width:
            raise PreviewError(f"image wider than the paper ({img.width} > {self.page.width} dots)")
        self.images += 1
        self.page.add(img, self.align)

    def qr_function(self, body: bytes) -> None:
        if len(body) < 2 or body[0:1] != b"1":
            raise PreviewError(f"unsupported GS ( k function {body[:2]!r}")
        fn, args = body[1:2], body[2:]
        if fn == b"A":
            if args[:1] != b"2":
                raise PreviewError("only QR model 2 is supported")
        elif fn == b"C":
            self.qr_module = args[0]
        elif fn == b"E":
            self.qr_ec = _EC_BY_BYTE[args[0]]
        elif fn == b"P":
            self.qr_data = bytes(args[1:])
        elif fn == b"Q":
            self.flush(force=False)
            qr = qrcode.QRCode(error_correction=QR_EC_LIB[self.qr_ec], box_size=self.qr_module, border=0)
            qr.add_data(self.qr_data)
            qr.make(fit=True)
            self.qr_payloads.append(self.qr_data.decode("utf-8"))
            self.page.add(qr.make_image().get_image().convert("L"), self.align)
        else:
            raise PreviewError(f"unsupported GS ( k function {fn!r}")

    def cut(self) -> None:
        self.cuts += 1
        strip = Image.new("L", (self.page.width, 9), 255)
        draw = ImageDraw.Draw(strip)
        for x in range(0, self.page.width, 12):
            draw.line((x, 4, x + 6, 4), fill=128)
        self.page.blocks.append(strip)
