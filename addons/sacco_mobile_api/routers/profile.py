from typing import Annotated

from fastapi import File, Form, Query, UploadFile

from sacco_core.mobile_api import MAX_DOCUMENT_BYTES, page_bounds

from ..schemas import (
    DocumentOut,
    NotificationOut,
    NotificationPage,
    ProfileIn,
    ProfileOut,
    ProfileUpdateOut,
)
from .common import RecordId, SignedIn, mobile_router

router = mobile_router(tags=["profile"])


@router.get("/profile", response_model=ProfileOut)
def profile(caller: SignedIn):
    """Contact details, branch and next of kin (changed at the branch)."""
    return caller.api._profile(caller.member)


@router.put("/profile", response_model=ProfileUpdateOut)
def update_profile(body: ProfileIn, caller: SignedIn):
    """The e-mail changes at once. A new phone: send it without ``code`` (a code goes to
    the new phone), then with the code; the change then waits for staff approval."""
    return caller.api._update_profile(caller.member, body.email, body.phone, body.code)


@router.post("/profile/documents/upload", status_code=201, response_model=DocumentOut)
def upload_document(
    caller: SignedIn,
    document_type: Annotated[str, Form(max_length=32, examples=["NATID"])],
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG, at most 5 MB.")],
):
    """A KYC document (type code as the SACCO lists them), pending verification by staff."""
    content = file.file.read(MAX_DOCUMENT_BYTES + 1)
    return caller.api._upload_document(
        caller.member, document_type, file.filename, file.content_type, content
    )


@router.get("/profile/documents/{document_id}", response_model=DocumentOut)
def document(document_id: RecordId, caller: SignedIn):
    found = caller.api._own(caller.member, "sacco.member.document", document_id)
    return caller.api._document_data(found)


@router.get("/notifications", response_model=NotificationPage, tags=["notifications"])
def notifications(
    caller: SignedIn,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    unread_only: bool = False,
):
    """Every SMS and app event the member received, newest first."""
    offset, limit = page_bounds(page, page_size)
    domain = [("member_id", "=", caller.member.id)] + (
        [("read", "=", False)] if unread_only else []
    )
    Notification = caller.api.env["sacco.mobile.notification"]
    items = Notification.search(domain, offset=offset, limit=limit)
    return {
        "page": page,
        "page_size": page_size,
        "total": Notification.search_count(domain),
        "items": [caller.api._notification_data(item) for item in items],
    }


@router.put(
    "/notifications/{notification_id}/read", response_model=NotificationOut, tags=["notifications"]
)
def read_notification(notification_id: RecordId, caller: SignedIn):
    found = caller.api._own(caller.member, "sacco.mobile.notification", notification_id)
    found._mark_read()
    return caller.api._notification_data(found)
