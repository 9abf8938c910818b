"""Form catalogue: the services a resident can choose, loaded from forms/*.yaml.

`load_catalogue(forms_dir)` returns a `Catalogue` (`.forms` ordered by `order`, `.problems` as
`Problem(file, field, what, fix)`); the specs themselves live in `kiosk.catalogue.spec`.
`where_to_go(form)` and `what_to_bring(form)` word a form's window and documents for residents.
"""
from __future__ import annotations

from kiosk.catalogue.loader import REUSE_KEYS, Catalogue, Problem, load_catalogue, load_files, load_form_file
from kiosk.catalogue.spec import Choice, Condition, FieldSpec, FieldType, FormSpec, SiteSpec

__all__ = [
    "REUSE_KEYS", "Catalogue", "Choice", "Condition", "FieldSpec", "FieldType", "FormSpec", "Problem",
    "SiteSpec", "load_catalogue", "load_files", "load_form_file", "what_to_bring", "where_to_go",
]


def what_to_bring(form: FormSpec) -> str:
    """One spoken sentence listing the documents to bring (or saying none are needed)."""
    from kiosk.voices import say

    if not form.documents:
        return say("catalogue.bring_nothing")
    return say("catalogue.bring_documents", documents="；".join(form.documents))


def where_to_go(form: FormSpec) -> str:
    """One spoken sentence naming the window and its opening hours."""
    from kiosk.voices import say

    return say("catalogue.where_to_go", department=form.department, opening_hours=form.opening_hours)
