"""Staff side of the kiosk: handoff tickets, the staff PIN, assisted mode, audit log, feedback.

No Kivy here. The app builds one `AssistedMode` (see kiosk.staff.mode) on the store's database,
attaches its `desk` (a HandoffDesk) to every Visit, and shows staff screens over `StaffSession`.
"""
