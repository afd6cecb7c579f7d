"""The company's name, address and logo: set through the service and `dmdesk settings`, read
back through the query; bad values are refused by name and leave the settings as they were."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from dmdesk import cli
from dmdesk.db import models as m
from dmdesk.db.database import Database
from dmdesk.domain.errors import ValidationError
from dmdesk.queries.settings import CompanyProfile, company_profile
from dmdesk.services import settings
from dmdesk.services.context import ServiceContext
from tests.integration.test_document_kit import logo_png


def _company(db: Database) -> CompanyProfile:
    with db.read_session() as session:
        return company_profile(session)


def test_set_read_back_and_clear(ctx: ServiceContext) -> None:
    assert _company(ctx.db) == CompanyProfile() and _company(ctx.db).empty
    logo = logo_png()
    settings.set_company_name(ctx, "  Acme   Machining  ")
    settings.set_company_address(ctx, "12 Mill Lane\n\n  Sheffield S1 2AB ")
    assert settings.set_company_logo(ctx, logo) == hashlib.sha256(logo).hexdigest()
    company = _company(ctx.db)
    assert company.name == "Acme Machining"
    assert company.address == ("12 Mill Lane", "Sheffield S1 2AB")
    assert company.logo == logo and company.logo_sha256 == hashlib.sha256(logo).hexdigest()
    settings.set_company_logo(ctx, None)
    settings.set_company_name(ctx, "")
    assert _company(ctx.db) == CompanyProfile(address=("12 Mill Lane", "Sheffield S1 2AB"))
    with ctx.db.read_session() as session:
        audited = session.scalars(select(m.AuditEntry.details).where(
            m.AuditEntry.entity == "setting").order_by(m.AuditEntry.seq)).all()
    assert len(audited) == 5 and '"key": "company_logo"' in audited[2]
    assert "iVBOR" not in " ".join(audited)  # the logo's hash is audited, not its bytes


@pytest.mark.parametrize(("call", "message"), [
    (lambda ctx: settings.set_company_name(ctx, "A" * 121), "at most 120"),
    (lambda ctx: settings.set_company_address(ctx, "\n".join("x" * 7)), "at most 6"),
    (lambda ctx: settings.set_company_logo(ctx, b"not an image"), "not an image file"),
    (lambda ctx: settings.set_company_logo(ctx, logo_png()[:200]), "not an image file"),
    (lambda ctx: settings.set_company_logo(ctx, b"GIF89a" + logo_png()), "too many pixels"),
    (lambda ctx: settings.set_company_logo(ctx, b"\x89PNG" + b"0" * (3 << 20)), "MB"),
])
def test_bad_values_are_refused_and_change_nothing(ctx: ServiceContext, call: object,
                                                   message: str) -> None:
    settings.set_company_name(ctx, "Acme")
    settings.set_company_address(ctx, "12 Mill Lane")
    settings.set_company_logo(ctx, logo_png())
    before = _company(ctx.db)
    with pytest.raises(ValidationError, match=message):
        call(ctx)  # type: ignore[operator]
    assert _company(ctx.db) == before


def test_a_huge_logo_is_refused(ctx: ServiceContext) -> None:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("1", (5000, 4000)).save(out, "PNG")  # 20 million pixels, a few kB
    with pytest.raises(ValidationError, match="5000 x 4000 pixels; at most 16 million"):
        settings.set_company_logo(ctx, out.getvalue())


def test_a_gif_logo_is_refused_naming_its_format(ctx: ServiceContext, tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "logo.gif"
    Image.new("RGB", (10, 10), "red").save(path)
    with pytest.raises(ValidationError, match="GIF image; use PNG or JPEG"):
        settings.set_company_logo(ctx, path.read_bytes())


def test_the_settings_command(db: Database, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    path = str(db.path)
    db.close()
    logo = tmp_path / "logo.png"
    logo.write_bytes(logo_png())
    assert cli.main(["settings", "set", "company_name", "Acme Ltd", "--db", path]) == 0
    assert cli.main(["settings", "set", "company_address", "1 Road\\nTown", "--db", path]) == 0
    assert cli.main(["settings", "set", "company_logo", str(logo), "--db", path]) == 0
    assert cli.main(["settings", "show", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "Company name: Acme Ltd." in out and "Company address: 1 Road / Town." in out
    assert "company_name: Acme Ltd\ncompany_address: 1 Road / Town\ncompany_logo: " in out

    assert cli.main(["settings", "set", "colour", "red", "--db", path]) == 1
    assert cli.main(["settings", "set", "company_logo", str(tmp_path / "none.png"),
                     "--db", path]) == 1
    (tmp_path / "bad.png").write_bytes(b"nope")
    assert cli.main(["settings", "set", "company_logo", str(tmp_path / "bad.png"),
                     "--db", path]) == 1
    err = capsys.readouterr().err
    assert "Unknown setting 'colour'" in err and "no logo file at" in err
    assert "not an image file" in err
    assert cli.main(["settings", "show", "--db", path]) == 0
    assert f"{len(logo.read_bytes())} bytes" in capsys.readouterr().out  # the logo kept
