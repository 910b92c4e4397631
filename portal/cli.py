"""Flask commands: seed-demo, create-admin, close-due-notices, import-calendar, and the operator's
security and reliability commands: audit verify, backup, restore, sweep, verify-files; handoff build
(issue 23.7)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD, seed_demo
from portal.domain.errors import NotFound, ValidationFailed
from portal.extensions import db
from portal.models import Membership, Organisation, OrgKind, StaffRole
from portal.policy_cli import register_policy_cli
from portal.services import calendar, notifications, organisations
from portal.services.actors import SYSTEM, Actor, actor_for
from portal.services.organisations import PersonInput
from portal.web.storage import storage


def _terminal_width(text: str) -> int:
    """Columns a terminal gives the text: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - _terminal_width(text))


def login_table(logins: list[tuple[str, str, str]]) -> str:
    """The demo logins as aligned columns: phone, name, then who they are (last, so a long organisation
    name neither pushes the others out of line nor past an 80-column terminal's edge); widths counted as a
    terminal shows them."""
    names = max((_terminal_width(name) for _, _, name in logins), default=0)
    return "\n".join(f"  {phone}  {_padded(name, names)}  {text}" for text, phone, name in logins)


def register_cli(app: Flask) -> None:
    register_policy_cli(app)
    register_operations_cli(app)

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo organisations, staff and applications (running it twice changes nothing)."""
        logins = seed_demo(db.session, datetime.now(UTC), storage())
        db.session.commit()
        click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}，可用手机号登录）：")
        click.echo(login_table(logins))

    @app.cli.command("close-due-notices")
    def close_due_notices_command() -> None:
        """Run the periodic jobs now, by hand (the worker runs them on its own schedule): close notices
        whose period ended, abandon corrections past their deadline, remind applicants three working days
        before one, and e-mail notifications (when SMTP is set)."""
        from portal.jobs import tasks
        from portal.models import JobKind

        now = datetime.now(UTC)
        for kind in (JobKind.CLOSE_NOTICES, JobKind.CORRECTIONS, JobKind.EMAIL):
            click.echo(tasks.PERIODIC_BODIES[kind](app, db.session, now))
            db.session.commit()

    @app.cli.command("import-calendar")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--confirm-year", type=int, help="导入后确认该年度安排完整")
    @click.option("--source", default="", help="依据，如“国务院办公厅关于2027年部分节假日安排的通知”")
    def import_calendar_command(csv_file: Path, confirm_year: int | None, source: str) -> None:
        """Import holidays and adjusted working days (CSV: 日期,类型(放假/调休上班),名称)."""
        admin = _first_admin()
        now = datetime.now(UTC)
        try:
            count = calendar.import_days(db.session, admin, csv_file.read_text(encoding="utf-8-sig"), now)
            if confirm_year:
                calendar.confirm_year(db.session, admin, confirm_year, source or csv_file.name, now)
        except ValidationFailed as invalid:
            raise click.ClickException("；".join(invalid.fields.values())) from None
        db.session.commit()
        click.echo(f"已导入 {count} 天" + (f"，{confirm_year}年已确认" if confirm_year else ""))

    @app.cli.command("create-admin")
    @click.option("--bureau", required=True, help="认定机构（人社局）名称；不存在则创建")
    @click.option("--code", default="", help="认定机构代码，用于证书编号")
    @click.option("--name", required=True)
    @click.option("--id-number", required=True)
    @click.option("--phone", required=True)
    def create_admin_command(bureau: str, code: str, name: str, id_number: str, phone: str) -> None:
        """Create a certifying bureau (if new) and its system administrator; prints the first password."""
        session = db.session
        now = datetime.now(UTC)
        org = session.scalars(select(Organisation).where(Organisation.name == bureau)).first()
        try:
            if org is None:
                org = organisations.open_bureau(session, bureau, now, code=code)
            account = organisations.open_bureau_admin(session, org, PersonInput(name, id_number, phone), now)
        except ValidationFailed as invalid:
            raise click.ClickException("；".join(invalid.fields.values())) from None
        session.commit()
        user, password = account.user, account.password
        click.echo(f"管理员已创建：{user.name} {user.phone}，初始密码 {password}（首次登录须修改）")


def smtp_mailer(app: Flask) -> notifications.SmtpMailer | None:
    """E-mail is off unless PORTAL_SMTP_HOST is set."""
    if not app.config.get("PORTAL_SMTP_HOST"):
        return None
    return notifications.SmtpMailer(
        host=app.config["PORTAL_SMTP_HOST"],
        port=app.config["PORTAL_SMTP_PORT"],
        sender=app.config["PORTAL_SMTP_SENDER"] or "noreply@localhost",
        username=app.config["PORTAL_SMTP_USERNAME"],
        password=app.config["PORTAL_SMTP_PASSWORD"],
        starttls=bool(app.config.get("PORTAL_SMTP_STARTTLS", True)),
    )


def _first_admin() -> Actor:
    """Commands act as the first active admin, so the audit trail names a person."""
    membership = db.session.scalars(
        select(Membership)
        .join(Organisation, Organisation.id == Membership.org_id)
        .where(
            Membership.role == StaffRole.ADMIN.value,
            Membership.ended_at.is_(None),
            Organisation.kind == OrgKind.BUREAU.value,
        )
        .order_by(Membership.id)
    ).first()
    if membership is None:
        raise click.ClickException("尚无系统管理员：请先运行 flask create-admin")
    return actor_for(membership.user, membership)


def register_operations_cli(app: Flask) -> None:
    from portal import backup as backups
    from portal.services import audit as audit_service
    from portal.services import files, packages
    from portal.storage import from_config

    def store_dir() -> Path:
        return Path(app.config["PORTAL_STORAGE_DIR"])

    @app.cli.group("audit")
    def audit_group() -> None:
        """The audit trail."""

    @audit_group.command("verify")
    def audit_verify_command() -> None:
        """Check the hash chain of every audit row; exit 1 and name the first broken link."""
        checked, broken = audit_service.verify_chain(db.session)
        if broken is not None:
            raise click.ClickException(f"审计日志校验失败：{broken.problem}（已校验 {checked} 条）")
        click.echo(f"审计日志完整：{checked} 条记录的哈希链校验通过")

    @app.cli.command("backup")
    @click.option("--to", "dest", required=True, type=click.Path(file_okay=False, path_type=Path))
    def backup_command(dest: Path) -> None:
        """Back up the database and the file store into a new directory under --to, with a manifest."""
        try:
            report = backups.backup(db.engine, store_dir(), dest, datetime.now(UTC))
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        rows = sum(report.row_counts.values())
        click.echo(f"备份完成：{report.path}（{rows} 行数据，{report.files} 个文件，清单 manifest.json）")
        if str(app.config.get("PORTAL_STORAGE") or "local") != "local":
            click.echo(
                "注意：文件存放在对象存储（PORTAL_STORAGE=s3），本备份只含数据库；文件由存储桶的版本控制和"
                "异地复制保护，恢复后用 flask storage verify 核对（docs/operations.md）"
            )

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
    def restore_command(source: Path) -> None:
        """Restore a backup into this fresh instance (empty DATABASE_URL and PORTAL_STORAGE_DIR)."""
        try:
            report = backups.restore(source, db.engine, store_dir())
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        checked, broken = audit_service.verify_chain(db.session)
        if broken is not None:
            raise click.ClickException(f"已恢复，但审计日志校验失败：{broken.problem}")
        rows = sum(report.row_counts.values())
        click.echo(
            f"恢复完成：{rows} 行数据与清单一致，{report.files} 个文件校验通过，审计链 {checked} 条完整"
        )

    @app.cli.command("sweep")
    def sweep_command() -> None:
        """Remove temporary files and files no row refers to (older than an hour), job results and batch
        leftovers older than a day, expired login sessions and old periodic-run records."""
        from portal.services import maintenance

        summary = maintenance.sweep_all(db.session, app.config, datetime.now(UTC))
        db.session.commit()
        click.echo(summary.summary())

    @app.cli.group("handoff")
    def handoff_group() -> None:
        """Hand-offs to the provincial systems (issue 23)."""

    @handoff_group.command("build")
    @click.option("--target", required=True, help="报送目标：jx（江西）、js（江苏）、km（昆明）")
    @click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path))
    @click.option("--application", "application_id", type=int, help="只导出这一件申报（编号）")
    @click.option("--all", "everything", is_flag=True, help="导出该目标接收的全部申报")
    def handoff_build_command(target: str, out: Path, application_id: int | None, everything: bool) -> None:
        """Write what the UI would download for a target into --out (a folder per applicant, the sheets,
        the manifests) and print the JSON summary {applications, files, largest_bytes, unmapped_slots}."""
        import json

        from portal.models import Application
        from portal.services import handoffs

        if everything == (application_id is not None):
            raise click.UsageError("请指定 --application ID 或 --all（二选一）")
        try:
            profile = handoffs.profile_of(target)
        except NotFound as missing:
            raise click.ClickException(missing.message) from None
        if application_id is not None:
            found = db.session.get(Application, application_id)
            chosen = [
                a for a in handoffs.eligible(db.session, profile) if found is not None and a.id == found.id
            ]
            if not chosen:
                raise click.ClickException(
                    f"申报 {application_id} 不存在，或不属于{profile.system}接收的申报（人社局、办理环节）"
                )
        else:
            chosen = handoffs.eligible(db.session, profile)
        if out.exists() and any(out.iterdir()):
            raise click.ClickException(f"{out} 不是空目录：请指定一个新目录，以免混入旧文件")
        out.mkdir(parents=True, exist_ok=True)
        export = handoffs.build_export(
            db.session, from_config(app.config), profile, chosen, handoffs.FolderSink(out)
        )
        handoffs.record_export(
            db.session, SYSTEM, export, [a.id for a in chosen], datetime.now(UTC), via="cli", out=str(out)
        )
        db.session.commit()
        for problem in export.problems:
            click.echo(f"  {problem.applicant} · {problem.slot}：{problem.what}", err=True)
        click.echo(json.dumps(export.summary(), ensure_ascii=False))

    @app.cli.group("package")
    def package_group() -> None:
        """Packages sent onward (申报材料包)."""

    @package_group.command("verify")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def package_verify_command(archive: Path) -> None:
        """Re-hash every file a package ZIP's manifest lists; exit 1 and list each mismatch."""
        report = packages.verify_zip(archive)
        if not report.ok:
            for problem in report.problems:
                click.echo(f"  {problem}", err=True)
            raise click.ClickException(
                f"材料包校验失败：{len(report.problems)} 处问题（已校验 {report.checked} 个文件）"
            )
        click.echo(f"材料包完整：{report.checked} 个文件的 SHA-256 与清单一致")

    def verify_files() -> None:
        report = files.verify_store(db.session, from_config(app.config))
        if report.missing or report.corrupted:
            raise click.ClickException(
                f"文件校验失败：缺失 {report.missing}，内容被改动 {report.corrupted}（stored_files 编号）"
            )
        click.echo(f"文件完整：{report.checked} 个文件校验通过")

    @app.cli.command("verify-files")
    def verify_files_command() -> None:
        """Check that every stored file is present and still matches its SHA-256; exit 1 if not."""
        verify_files()

    @app.cli.group("storage")
    def storage_group() -> None:
        """The file store (local folder or S3-compatible bucket, PORTAL_STORAGE)."""

    @storage_group.command("verify")
    def storage_verify_command() -> None:
        """Re-read every stored file from the configured backend and check its SHA-256; exit 1 naming
        the rows whose file is missing or changed."""
        verify_files()
