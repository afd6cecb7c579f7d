"""Add a stock location (a shelf, a bay, a room) to a site."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QWidget

from dmdesk.domain.errors import DuplicateError
from dmdesk.gui.dialogs.form import FormDialog, line_edit
from dmdesk.gui.dialogs.site_form import service_rule
from dmdesk.gui.tasks import TaskRunner
from dmdesk.services import sites
from dmdesk.services.context import ServiceContext
from dmdesk.services.sites import LOCATION_FIELDS


class LocationForm(FormDialog):
    def __init__(self, services: ServiceContext, runner: TaskRunner, site_id: uuid.UUID,
                 site_code: str, taken_codes: Iterable[str] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New location at {0}").format(site_code), runner, parent)
        self.setObjectName("location_form")
        self.services = services
        self.site_id = site_id
        self.taken = {code.lower() for code in taken_codes}
        self.add_field("code", self.tr("Code"), line_edit("", self.tr("e.g. SHELF-A")),
                       self._code)
        self.add_field("name", self.tr("Name"), line_edit("", self.tr("e.g. Shelf A, left")),
                       service_rule("name", self.tr("Name"), LOCATION_FIELDS))
        self.resize(420, self.sizeHint().height())

    def _code(self, value: Any) -> str:
        code: str = service_rule("code", self.tr("Code"), LOCATION_FIELDS)(value)
        if code.lower() in self.taken:
            raise DuplicateError(self.tr("This site already has a location {0}.").format(code),
                                 field="code")
        return code

    def submit(self, values: dict[str, Any]) -> uuid.UUID:
        return sites.create_location(self.services, self.site_id, values["code"],
                                     values["name"])
