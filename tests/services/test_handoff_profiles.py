"""Which hand-off profile an application's bureau hands off to, and what that changes before any export:
Kunming's 职称申报承诺书 joins the checklist (004 二(六), MAT-10), the binding order is the committee's
(MAT-14) and the e-certificate lookup is Jiangsu's (002 四(四)2)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portal.models import StaffRole
from portal.services import handoff_profiles, materials
from tests.conftest import Clock
from tests.factories import make_application, make_world


@pytest.mark.parametrize(
    ("profile", "target", "asks"),
    [
        ("kunming-2022", "km", True),
        ("ganzhou-2026", "jx", False),
        ("zhenjiang-2024", "js", False),
        (None, None, False),
    ],
)
def test_the_target_follows_the_policy_profile_and_kunming_asks_for_the_credit_pledge(
    session: Session, clock: Clock, profile: str | None, target: str | None, asks: bool
) -> None:
    world = make_world(session, policy_profile=profile)
    application = make_application(session, world, clock.now)
    found = handoff_profiles.target_for(application.bureau)
    assert (found.id if found else None) == target
    checklist = materials.checklist(
        session, world.enterprise.actor(StaffRole.HANDLER), application, clock.now
    )
    keys = [row.slot.key for row in checklist.rows]
    assert ("credit_pledge" in keys) is asks
    if asks:
        row = next(r for r in checklist.rows if r.slot.key == "credit_pledge")
        assert "004 二(六)" in row.slot.clause and row.slot.required


def test_binding_and_lookup_come_from_the_target(session: Session, clock: Clock) -> None:
    world = make_world(session, policy_profile="zhenjiang-2024")
    application = make_application(session, world, clock.now)
    application.authority_code = "zj-center"
    binding = handoff_profiles.binding_for(application)
    assert binding is not None and binding.committees == ("zj-center",)
    application.authority_code = "dy-hrss"
    assert handoff_profiles.binding_for(application).committees == ()  # type: ignore[union-attr]
    lookup = handoff_profiles.lookup_for(application)
    assert lookup is not None and "职称证书在线查询" in lookup.path
    world.bureau.org.policy_profile = "ganzhou-2026"
    assert (
        handoff_profiles.lookup_for(application) is None and handoff_profiles.binding_for(application) is None
    )


def test_the_package_pdf_binds_in_the_committees_order(session: Session, clock: Clock) -> None:
    """Zhenjiang's 装订目录 (MAT-14) per committee, from the profile: today's fixed order is the default."""
    import io

    from pypdf import PdfReader

    from portal.domain.packages import Part
    from portal.domain.workflow import Status
    from portal.services import packages
    from tests.factories import STEPS_TO, STORAGE

    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    actor = world.department.actor(StaffRole.HANDLER)

    def top_titles() -> list[str]:
        built = packages.build_pdf(session, STORAGE, actor, application, clock.now)
        reader = PdfReader(io.BytesIO(built.data))
        marks = [item for item in reader.outline if not isinstance(item, list)]
        pages = [reader.get_destination_page_number(item) for item in marks]
        assert pages == sorted(pages)  # the pages follow the contents (they kept the template's order)
        contents = reader.pages[0].extract_text()
        assert all(m.title in contents for m in marks[1:])  # every part after the cover (申报表 was missing)
        return [m.title for m in marks]

    default = top_titles()
    world.bureau.org.policy_profile = "zhenjiang-2024"
    application.authority_code = "zj-center"
    session.flush()
    zhenjiang = top_titles()
    # The committee's order after the cover, which opens the file (it carries the 装订目录).
    wanted = [Part.COVER.title, Part.FORM.title, Part.NOTICE_RESULT.title, Part.OPINIONS.title]
    assert [t for t in zhenjiang if t in wanted] == wanted
    assert default != zhenjiang and default[0] == Part.COVER.title
