"""Receipt printing: submission -> masked `Receipt` -> ESC/POS bytes -> serial / preview / memory printer.

Layers, each its own module: `receipt` (what is printed, personal data already masked),
`textwidth` (display columns and wrapping), `escpos` (explicit ESC/POS byte encoder), `layout`
(a Receipt laid out for 58 or 80 mm paper), `preview` (ESC/POS bytes -> PNG), `printers`
(the `Printer` interface and its serial / preview / memory implementations), `queue` (the
persistent print queue) and `service` (print a submission, never losing a receipt on a fault).
"""
