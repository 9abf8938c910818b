"""The kiosk API: register a kiosk's key, post outbox batches, tell a kiosk its highest receipt (bearer token)."""
from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Request

from kiosk.central.store import CentralError, CentralStore
from kiosk.common.chain import HEAD

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1")
MAX_BATCH = 500


def _store(request: Request) -> CentralStore:
    return request.app.state.store


def authenticated_kiosk(request: Request) -> str:
    """The kiosk id behind the request's bearer token, checked by BodyGuard before the body was read."""
    kiosk_id = request.scope.get("state", {}).get("kiosk_id")
    if not kiosk_id:       # only reachable if the app was built without BodyGuard
        raise HTTPException(401, "unknown kiosk token", headers={"WWW-Authenticate": "Bearer"})
    return kiosk_id


@router.get("/health")
def health(request: Request) -> dict:
    """Liveness and schema version (no auth; no data)."""
    return {"ok": True, "schema": request.app.state.schema_version}


@router.put("/kiosks/{kiosk_id}")
def register_kiosk(kiosk_id: str, request: Request, body: Annotated[dict, Body()],
                   me: Annotated[str, Depends(authenticated_kiosk)]) -> dict:
    """Keep the kiosk's public key and wrapped private key (wrapped by the staff secret)."""
    if kiosk_id != me:
        raise HTTPException(403, "token belongs to another kiosk")
    if not isinstance(body.get("keyring"), dict) or not isinstance(body.get("key_id"), str):
        raise HTTPException(422, "body needs keyring (object) and key_id (text)")
    try:
        _store(request).register_key(me, body["key_id"], body["keyring"])
    except CentralError as err:
        raise HTTPException(422, err.code) from None
    log.info("kiosk %s registered key %s", me, body["key_id"])
    return {"ok": True, "kiosk_id": me, "key_id": body["key_id"]}


@router.post("/submissions")
def post_submissions(request: Request, body: Annotated[dict, Body()],
                     me: Annotated[str, Depends(authenticated_kiosk)]) -> dict:
    """Upsert a batch by submission uuid; the answer lists the uuids now held (the kiosk's ack)."""
    if body.get("kiosk_id") != me:
        raise HTTPException(403, "batch is for another kiosk")
    items = body.get("items")
    if not isinstance(items, list):
        raise HTTPException(422, "items must be a list")
    if len(items) > MAX_BATCH:
        raise HTTPException(413, f"at most {MAX_BATCH} items per batch")
    store = _store(request)
    accepted, rejected = store.upsert_submissions(me, items, request.app.state.open_fields)
    if rejected:
        log.warning("kiosk %s: %d item(s) refused: %s", me, len(rejected),
                    ", ".join(sorted({r.reason for r in rejected})))
    answer: dict = {"accepted": accepted, "rejected": [{"uuid": r.uuid, "reason": r.reason} for r in rejected],
                    "receipt_high": store.receipt_high(me)}
    if "audit" in body:       # the kiosk's audit chain head rides with each batch
        head, at_anchor = _audit_block(body["audit"])
        verdict = store.note_audit_head(me, head, at_anchor) if head is not None else "bad_audit"
        answer["audit"] = {"verdict": verdict, "anchor": _public_anchor(store.audit_anchor(me))}
    return answer


@router.get("/kiosks/{kiosk_id}/audit")
def audit_anchor(kiosk_id: str, request: Request, me: Annotated[str, Depends(authenticated_kiosk)]) -> dict:
    """The audit head the central holds for this kiosk (the kiosk proves its log still passes through it)."""
    if kiosk_id != me:
        raise HTTPException(403, "token belongs to another kiosk")
    return _public_anchor(_store(request).audit_anchor(me))


@router.get("/kiosks/{kiosk_id}/receipts")
def receipt_floor(kiosk_id: str, request: Request, me: Annotated[str, Depends(authenticated_kiosk)]) -> dict:
    """The highest receipt number this kiosk has synced: a kiosk that lost data numbers above it."""
    if kiosk_id != me:
        raise HTTPException(403, "token belongs to another kiosk")
    return {"receipt_high": _store(request).receipt_high(me)}


def _public_anchor(anchor: dict) -> dict:
    return {"id": anchor["id"], "hash": anchor["hash"], "count": anchor["count"]}


def _audit_block(block: object) -> tuple[dict | None, dict]:
    """(head, hash at the anchor) from a batch's "audit" object; head None when malformed."""
    if not isinstance(block, dict):
        return None, {}
    head, at = block.get("head"), block.get("at_anchor") or {}
    if not (isinstance(head, dict) and _count(head.get("id")) and _count(head.get("count"))
            and isinstance(head.get("hash"), str) and re.fullmatch(HEAD, head["hash"]) and isinstance(at, dict)):
        return None, {}
    return {"id": head["id"], "hash": head["hash"], "count": head["count"]}, at


def _count(value: object) -> bool:
    return type(value) is int and 0 <= value < 2 ** 31
