"""The dossier in the browser: the leader uploads the unit's seal; the applicant finishes the form,
uploads three phone photos of the labour contract as one copy (a PDF of three pages), signs the pledge
and submits; the handler checks the copy against the original and endorses it; the stamped file shows
the seal. The stamped page is rendered to e2e/artifacts/<engine>-dossier-stamped-page-1.png (pdftoppm)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.conftest import ARTIFACTS, ENGINE, Clock
from e2e.helpers import add_row, log_in, phone_photo, photo_files, sign_pledge, upload_material

# Runs after test_eligibility.py (file order), which needs 陈思远's demo draft still unsubmitted.
APPLICANT = "13970700011"  # 陈思远: a draft without its labour contract and pledge in the demo
HANDLER = "13870700006"  # 黄丽华
LEADER = "13870700007"  # 曾宪明
IN_FOURTH_WINDOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # Monday; Ganzhou's 10-20..11-20 window


def seal_png() -> bytes:
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([10, 10, 290, 290], outline=(210, 20, 20, 255), width=16)
    draw.regular_polygon((150, 150, 60), 5, fill=(210, 20, 20, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_first_page(pdf: bytes, name: str) -> Path:
    """The PDF's first page as a PNG in e2e/artifacts (kept after the run), named for the engine: the runs on
    SQLite and PostgreSQL go at once and each reads its own picture back."""
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed: scripts/ensure-system-packages.sh"
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "72",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(ARTIFACTS / f"{ENGINE}-{name}"),
            ],
            check=True,
        )
    return ARTIFACTS / f"{ENGINE}-{name}.png"


def red_share(image: Image.Image) -> float:
    pixels = list(image.convert("RGB").get_flattened_data())
    return sum(1 for r, g, b in pixels if r > 150 and g < 90 and b < 90) / len(pixels)


def test_photos_become_one_copy_that_the_handler_endorses_with_the_seal(new_page: Any, clock: Clock) -> None:
    clock.now = IN_FOURTH_WINDOW  # submission needs an open window (Ganzhou's last 2026 one closed on 11-20)
    leader: Page = new_page("leader")
    log_in(leader, LEADER)
    leader.get_by_role("link", name="单位公章").click()
    leader.get_by_label(re.compile("公章图片")).set_input_files(
        {"name": "公章.png", "mimeType": "image/png", "buffer": seal_png()}
    )
    leader.get_by_role("button", name="上传公章", exact=True).click()
    expect(leader.get_by_role("status").first).to_contain_text("单位公章图片已上传")
    expect(leader.get_by_alt_text("本单位公章")).to_be_visible()

    applicant: Page = new_page("applicant")
    log_in(applicant, APPLICANT)
    applicant.locator("tr", has_text="土木工程").get_by_role("link", name="查看并填写").click()
    checklist = applicant.locator("#materials")
    expect(checklist.locator("#slot-labour_contract")).to_contain_text("缺少")
    expect(checklist.locator("#materials-missing")).to_contain_text("劳动（聘用）合同（未上传）")
    # 业绩成果 is a repeating section: add a row, fill it, save.
    add_row(
        applicant,
        "achievement",
        "添加业绩成果",
        {
            "title": "开发区综合管廊一期工程",
            "finished_on": "2024-12-20",
            "description": "主持施工技术管理，获市优质工程奖。",
        },
    )
    applicant.get_by_role("button", name="保存草稿").click()
    expect(applicant.get_by_role("status").first).to_contain_text("申报表已保存")
    # The new row asks for its proof: the checklist changes with the save's answer.
    expect(applicant.locator("#materials")).to_contain_text("业绩成果证明（开发区综合管廊一期工程）")
    photos = [phone_photo("#efe9dc"), phone_photo("#e3ecef"), phone_photo("#f0e2e2")]
    upload_material(applicant, "劳动（聘用）合同", photos, copy=True)
    row = applicant.locator("#slot-labour_contract")
    expect(row).to_contain_text("复印件待单位核对")
    expect(row).to_contain_text("3页")
    expect(row).to_contain_text("劳动（聘用）合同（3张合成）.pdf")
    expect(row.locator("img.thumb")).to_be_visible()
    # The same photos sent again (a second press, a second try): the form first names what the slot holds,
    # then answers that the file is there already, and the slot keeps one file.
    form = applicant.locator("#upload-material")
    form.get_by_label("材料类别").select_option(label="劳动（聘用）合同")
    expect(form.locator('[data-slot-files="labour_contract"]')).to_contain_text("本栏目已有1个文件")
    form.get_by_label("复印件（须单位核对签章）").check()
    form.locator("#f-files").set_input_files(photo_files(photos))
    form.get_by_role("button", name="上传").click()
    expect(applicant.get_by_role("status").first).to_contain_text("该文件已上传")
    expect(applicant.locator("#slot-labour_contract .material")).to_have_count(1)
    # The achievement row asks for its own proof (a row-level slot of the checklist).
    upload_material(applicant, "业绩成果证明（开发区综合管廊一期工程）", [phone_photo("#eeeeee")])
    sign_pledge(applicant)
    applicant.get_by_label("对提示事项的确认说明").fill("已知悉，按时提交社保参保证明")
    applicant.get_by_role("button", name="提交申报").click()
    expect(applicant.locator(".badge").first).to_have_text("已提交，待经办人初审")

    handler: Page = new_page("handler")
    log_in(handler, HANDLER)
    handler.get_by_role("link", name="审核队列").click()
    handler.get_by_role("link", name="陈思远", exact=True).click()
    materials = handler.locator("#materials")
    contract = materials.locator("#review-slot-labour_contract")
    expect(contract).to_contain_text("复印件待单位核对")
    contract.get_by_label("已核对原件").check()
    contract.get_by_role("button", name="核对签章").click()
    expect(handler.get_by_role("status").first).to_contain_text("已核对签章")
    contract = handler.locator("#review-slot-labour_contract")
    expect(contract).to_contain_text("与原件相符 · 黄丽华")
    stamped_url = contract.get_by_role("link", name="查看签章件").get_attribute("href")
    assert stamped_url

    # The applicant's copy of the stamped file: the seal and the words on every page, three pages.
    applicant.reload()
    expect(applicant.locator("#slot-labour_contract")).to_contain_text("已核对签章")
    stamped = applicant.request.get(stamped_url)
    assert stamped.ok and stamped.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(stamped.body()))
    assert len(reader.pages) == 3
    assert all("与原件相符" in page.extract_text() for page in reader.pages)
    picture = Image.open(render_first_page(stamped.body(), "dossier-stamped-page-1"))
    width, height = picture.size
    corner = picture.crop((int(width * 0.6), int(height * 0.85), width, height))
    assert red_share(corner) > 0.01  # the red seal and words sit in the bottom-right corner
    assert red_share(picture.crop((0, 0, width, int(height * 0.8)))) < 0.001  # the scan is not covered

    # The reviewer's view of the same file carries the watermark with her name.
    seen = handler.request.get(stamped_url)
    assert "仅供职称申报使用" in PdfReader(io.BytesIO(seen.body())).pages[0].extract_text()
    render_first_page(seen.body(), "dossier-stamped-page-1-as-reviewer")

    # With the copy endorsed (and the work experience and achievements checked: EXP-03), the first review
    # goes through.
    handler.get_by_role("checkbox", name="已核实工作经历和业绩成果符合申报条件（001 四(五)）").check()
    handler.get_by_role("button", name="经办人初审通过").click()
    expect(handler.get_by_role("status").first).to_contain_text("已经办人初审通过")
