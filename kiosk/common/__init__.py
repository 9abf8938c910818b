"""Code both the kiosk and the central service need, with no kiosk-only dependency.

Only the standard library and `cryptography` are imported here, so the central service
(installed with `pip install kiosk[central]`, without Kivy or vosk) can use it: slow password
and PIN hashing (`kdf`) and the audit chain (`chain`).
"""
