"""The central service: kiosks post their outbox here; residents check status; staff work a console.

FastAPI over PostgreSQL (psycopg 3). `create_app(dsn, ...)` builds the app; `kiosk central serve`
runs it with uvicorn. Personal values arrive sealed to each kiosk's key and are opened only in
memory, for a staff session that unlocked that kiosk's key with the staff secret.
"""
