"""Community service centre kiosk."""
