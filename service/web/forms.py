"""The add and edit forms of the admin pages (agencies, consultants, users), written once.

A blank form; the form again, as it was typed, with why it was refused beside each field (422, or 409 for
a clash with a record already stored); and once saved, a one-line notice on the page the browser is sent
to. Every change goes through the store functions the API and the command line call, so validation and the
audit event are the same whichever way an admin works. A kind of record says only what differs: its
fields, how it reads and stores them, and where the browser goes afterwards.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from core.errors import Conflict, Invalid
from service.db import SessionDep
from service.models import User
from service.web.pages import FormState, field_errors, flash_then_redirect, form_page, store_errors, typed
from service.web.session import CheckedForm, list_admins

Record = TypeVar("Record")
Refusal = ValidationError | Invalid | Conflict
# Where a saved record sends the browser: the notice shown there, and the page's address.
Next = tuple[str, str]


@dataclass(frozen=True)
class RecordForm(Generic[Record]):
    """The add and edit form of one kind of record: ``templates/web/SECTION/form.html``, which calls the
    record being edited ``noun`` (nothing while adding) and offers ``choices`` in its selects, with those
    ``offered`` to the signed-in person (what they may choose from). The address names the record by
    ``key`` (``NOUN_id`` unless said); ``guard`` lets in who may use the form (list admins unless said)."""

    section: str
    labels: Mapping[str, str]
    noun: str | None = None
    choices: Mapping[str, Any] = field(default_factory=dict)
    pattern_hints: Mapping[str, str] = field(default_factory=dict)
    key: str | None = None
    guard: Callable[..., User] = list_admins
    offered: Callable[[Request, User], Mapping[str, Any]] | None = None

    def typed(self, form: FormData, record: Record | None) -> dict[str, Any]:
        """The form as typed, to store and to show back beside its errors."""
        return typed(form, self.labels)

    def errors(self, error: Refusal, values: Mapping[str, Any]) -> tuple[dict[str, str], int]:
        """Why ``values`` were refused, beside the fields concerned, and the status to answer with."""
        if isinstance(error, ValidationError):
            return field_errors(error, labels=self.labels, pattern_hints=self.pattern_hints), 422
        return store_errors(error), 409 if isinstance(error, Conflict) else 422

    def page(
        self,
        request: Request,
        user: User,
        *,
        values: Mapping[str, Any],
        record: Record | None = None,
        errors: Mapping[str, str] | None = None,
        status: int = 422,
    ) -> Response:
        """The form showing ``values``; with ``errors`` it answers ``status``."""
        context = {
            "section": self.section,
            **({self.noun: record} if self.noun else {}),
            "labels": self.labels,
            **self.choices,
            **(self.offered(request, user) if self.offered else {}),
        }
        form = FormState(errors or {}, values, status)
        return form_page(request, f"{self.section}/form.html", context, user=user, form=form)

    def _save(
        self,
        request: Request,
        user: User,
        values: Mapping[str, Any],
        store: Callable[[], Record],
        then: Callable[[Record], Next],
        *,
        record: Record | None = None,
    ) -> Response:
        try:
            saved = store()
        except (ValidationError, Invalid, Conflict) as error:
            errors, status = self.errors(error, values)
            return self.page(request, user, values=values, record=record, errors=errors, status=status)
        notice, location = then(saved)
        return flash_then_redirect(request, notice, location)

    def adding(
        self,
        router: APIRouter,
        *,
        blank: Mapping[str, Any],
        create: Callable[[Session, Mapping[str, Any], User], Record],
        then: Callable[[Record], Next],
    ) -> None:
        """``/new``: the form showing ``blank``, and what ``create`` makes of it as it is sent back."""
        Page = Annotated[User, Depends(self.guard)]

        def new(request: Request, user: Page) -> Response:
            return self.page(request, user, values=blank)

        def add(request: Request, session: SessionDep, user: Page, form: CheckedForm) -> Response:
            values = self.typed(form, None)
            return self._save(request, user, values, partial(create, session, values, user), then)

        router.add_api_route("/new", new, methods=["GET"], name=f"new_{self.section}")
        router.add_api_route("/new", add, methods=["POST"], name=f"add_{self.section}")

    def editing(
        self,
        router: APIRouter,
        *,
        key: type,
        read: Callable[[Session, Any, User], Record],
        shown: Callable[[Record], Mapping[str, Any]],
        update: Callable[[Session, Record, Mapping[str, Any], User], Record],
        then: Callable[[Record], Next],
    ) -> None:
        """``/{KEY}/edit``: the record ``read`` finds (its id of type ``key``) as the form ``shown``,
        and ``update`` with the form as it is sent back."""
        name = self.key or f"{self.noun}_id"
        Key = Annotated[key, Path(alias=name)]  # type: ignore[valid-type]
        Page = Annotated[User, Depends(self.guard)]

        def edit(request: Request, session: SessionDep, user: Page, record_id: Key) -> Response:
            record = read(session, record_id, user)
            return self.page(request, user, values=shown(record), record=record)

        def save(
            request: Request, session: SessionDep, user: Page, form: CheckedForm, record_id: Key
        ) -> Response:
            record = read(session, record_id, user)
            values = self.typed(form, record)
            saving = partial(update, session, record, values, user)
            return self._save(request, user, values, saving, then, record=record)

        path = f"/{{{name}}}/edit"
        router.add_api_route(path, edit, methods=["GET"], name=f"edit_{self.noun}")
        router.add_api_route(path, save, methods=["POST"], name=f"save_{self.noun}")
