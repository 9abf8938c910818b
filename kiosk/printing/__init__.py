"""Receipt printing: submission -> masked `Receipt` -> ESC/POS bytes -> serial / preview / memory printer.

Layers, each its own module: `receipt` (what is printed, personal data already masked),
`textwidth` (printer columns; lines broken by `kiosk.typeset.break_lines`), `escpos` (explicit
ESC/POS byte encoder), `layout` (a Receipt laid out for 58 or 80 mm paper), `preview` (ESC/POS
bytes -> PNG), `printers` (the `Printer` interface; the serial printer writes paced chunks and
confirms each job by DLE EOT status after the last byte), `queue` (the persistent print queue:
queued / printed / unconfirmed / dismissed, bytes sent), `service` (print a submission, never
losing a receipt on a fault), `handout` (what the resident is told after a print, Kivy-free),
`check` (form text that would print cut, for `kiosk forms check`), `simulator` (a printer on a
socat pty for tests and the benchmark) and `gallery` (every form's receipt as PNG for the docs).
"""
