"""Steps a person takes in the browser, in Chinese, reused by the journeys."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

DEMO_PASSWORD = "Demo@2026"


def log_in(page: Page, login: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("手机号或证件号码").fill(login)
    page.get_by_label(re.compile("^密码")).fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def queue_row(page: Page, applicant_name: str):  # type: ignore[no-untyped-def]
    return page.locator("tr", has=page.get_by_role("link", name=applicant_name, exact=True))


def page_ready(page: Page) -> None:
    """Wait until the page's deferred scripts have run and htmx has bound its hx- attributes.

    `window.htmx` exists as soon as htmx.js runs, but htmx binds the document only at DOMContentLoaded,
    after every deferred script (app.js too): a click in between goes as a plain form POST, and a key
    press reaches no listener. A loaded machine (CI runs two browsers at once) widens that moment."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")


def act_in_queue(page: Page, tab: str, applicant_name: str, button: str) -> None:
    """Open a queue tab, press the action on the applicant's row, and wait for the row to update."""
    page.get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name=tab).click()
    page_ready(page)
    row = queue_row(page, applicant_name)
    confirm_check(row)
    row.get_by_role("button", name=button).click()
    expect(row.get_by_role("status")).to_contain_text(f"已{button}")


def confirm_check(scope: Page | Locator) -> None:
    """Tick the check a Ganzhou 初审 asks with its button (EXP-03: work experience and achievements
    checked), where the row or form shows one; elsewhere there is nothing to tick."""
    check = scope.locator("input[name=verified]")
    if check.count():
        check.first.check()


def accept_confirmations(page: Page) -> None:
    """Say yes to the "are you sure?" dialogs destructive or final actions ask."""
    page.on("dialog", lambda dialog: dialog.accept())


def draft_notice_for(page: Page, applicant_name: str) -> None:
    """As the enterprise handler: draft a notice (starting tomorrow) for one approved applicant."""
    page.get_by_role("link", name="公示", exact=True).click()
    draft = page.locator("#draft-notice")
    for box in draft.get_by_role("checkbox").all():
        box.uncheck()
    draft.get_by_label(applicant_name).check()
    draft.get_by_label("异议受理联系方式").fill("人力资源部 0797-8380000")
    draft.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("公示")
    expect(page.locator("#notice-clock")).to_contain_text("共5个工作日")


def publish_latest_notice(page: Page) -> None:
    """As the enterprise leader: open the newest notice and publish it."""
    accept_confirmations(page)
    page.get_by_role("link", name="公示", exact=True).click()
    page.locator("table a").first.click()
    page.get_by_role("button", name="发布公示").click()
    expect(page.locator(".badge").first).to_have_text("已发布，待开始")  # it starts tomorrow


def phone_photo(colour: str = "#d9d2c3", size: tuple[int, int] = (1200, 1600)) -> bytes:
    """A JPEG like a phone photo of a document (lines of "text" on paper)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for y in range(120, size[1] - 120, 90):
        draw.line([(120, y), (size[0] - 120, y)], fill="#444444", width=8)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def upload_material(
    page: Page, slot: str, photos: list[bytes], *, copy: bool = False, printed_on: str | None = None
) -> None:
    """As the applicant: choose the slot, pick the photos (in order) and upload; waits for the reload."""
    form = page.locator("#upload-material")
    form.get_by_label("材料类别").select_option(label=slot)
    form.get_by_label("复印件（须单位核对签章）" if copy else "原件扫描件").check()
    if printed_on:
        form.get_by_label("备案表打印日期").fill(printed_on)
    form.locator("#f-files").set_input_files(photo_files(photos))
    form.get_by_role("button", name="上传").click()
    expect(page.get_by_role("status").first).to_contain_text(f"已上传“{slot}”")


def photo_files(photos: list[bytes]) -> list[dict]:  # type: ignore[type-arg]
    """Phone photos as a file input takes them, named as a phone names them, in order."""
    return [
        {"name": f"IMG_{i:04d}.jpg", "mimeType": "image/jpeg", "buffer": photo}
        for i, photo in enumerate(photos)
    ]


def sign_pledge(page: Page) -> None:
    pledge = page.locator("#pledge")
    pledge.get_by_label("本人已阅读并承诺").check()
    pledge.get_by_role("button", name="在线签署").click()
    expect(page.get_by_role("status").first).to_contain_text("已签署诚信承诺书")


def htmx_settled(page: Page) -> None:
    """Wait until htmx has no request in flight and has settled what it swapped in: a field typed into
    before its new content is processed fires an event no listener hears yet (a loaded machine widens
    that moment)."""
    page.wait_for_function(
        "() => window.htmx !== undefined && !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def laid_out(page: Page, *measured: Locator) -> None:
    """Wait for what a layout measurement depends on, then measure once: the document's `load` (its
    stylesheet applied: before it, a busy machine measured a phone page 377 px wide, table cells one
    character wide and a ::before with no content), its fonts (text widths and line heights), htmx done
    swapping (a swapped element keeps its old attributes until it settles), and each element measured
    visible. After these the layout is the one a person sees: a single read is exact, so the checks keep
    their thresholds and need no retry."""
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => document.fonts.status)")
    htmx_settled(page)
    for element in measured:
        expect(element).to_be_visible()


def add_row(page: Page, section: str, add_label: str, values: dict[str, str]) -> None:
    """As the applicant: add a row to a repeating section of the 申报表 (the add button saves the form
    first) and fill it; choices are selected by their text, checkboxes checked with "1"."""
    rows = page.locator(f"#section-{section} .form-row")
    index = rows.count()
    page.locator(f"#section-{section}").get_by_role("button", name=add_label).click()
    expect(rows).to_have_count(index + 1)
    htmx_settled(page)
    row = page.locator(f"#row-{section}-{index}")
    for name, value in values.items():
        field = row.locator(f"#f-{section}-{index}-{name.replace('_', '-')}")
        tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(label=value)
        elif tag.endswith("checkbox"):
            field.check()
        else:
            field.fill(value)
