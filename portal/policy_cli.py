"""`flask policy ...`: commands for policy maintainers (issue #5).

- ``flask --app app policy list`` prints the id of every profile in portal/policies/, one a line, after
  loading and validating all of them (a broken file fails with its name, key and problem).
- ``flask --app app policy check PROFILE FACTS.json`` prints the eligibility findings for the facts as a
  JSON list of ``{"rule", "severity", "clause", "message"}`` objects (``-`` reads the facts from stdin).
- ``flask --app app policy deadlines PROFILE --meeting YYYY-MM-DD`` prints the committee meeting's filing
  deadline as JSON ``{"filing_due", "clause", "notice_must_end_by"}`` (DESIGN §6), counted on the working-day
  calendar the app uses (the package's years plus the admin's); a profile without a committee road, or a
  year the calendar does not know, is an error naming it.

Both take ``--dir`` to read another directory of policy files (a draft being edited, or a test's).
Wired into the app by portal.cli calling :func:`register_policy_cli`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import IO

import click
from flask import Flask

from portal.domain.eligibility import Facts, check
from portal.domain.policy import DEFAULT_DIRECTORY, PolicyError, load_profile, load_profiles

_DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Directory of policy TOML files (default: portal/policies).",
)


def register_policy_cli(app: Flask) -> None:
    """Add the ``policy`` command group (``list``, ``check``, ``deadlines``) to ``app``."""

    @app.cli.group("policy")
    def policy() -> None:
        """Policy profiles: list them, check facts against one."""

    @policy.command("list")
    @_DIR_OPTION
    def list_profiles(directory: Path | None) -> None:
        """Print the id of every policy profile."""
        try:
            profiles = load_profiles(directory)
        except PolicyError as exc:
            raise click.ClickException(str(exc)) from exc
        for profile_id in profiles:
            click.echo(profile_id)

    @policy.command("check")
    @_DIR_OPTION
    @click.argument("profile_id", metavar="PROFILE")
    @click.argument("facts_file", metavar="FACTS_JSON", type=click.File("r", encoding="utf-8"))
    def check_facts(directory: Path | None, profile_id: str, facts_file: IO[str]) -> None:
        """Print the findings of PROFILE for the facts in FACTS_JSON as a JSON list."""
        folder = DEFAULT_DIRECTORY if directory is None else directory
        known = sorted(p.stem for p in folder.glob("*.toml"))
        if profile_id not in known:
            raise click.BadParameter(
                f"未知的政策配置「{profile_id}」，可用：{', '.join(known) or '无'} "
                f"(unknown profile; known: {', '.join(known) or 'none'})",
                param_hint="PROFILE",
            )
        try:
            profile = load_profile(folder / f"{profile_id}.toml")
        except PolicyError as exc:
            raise click.ClickException(str(exc)) from exc
        try:
            data = json.load(facts_file)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"FACTS_JSON 不是有效的 JSON (invalid JSON): {exc}") from exc
        try:
            facts = Facts.from_json(data)
        except ValueError as exc:
            raise click.ClickException(f"FACTS_JSON 有误 (invalid facts): {exc}") from exc
        findings = [finding.to_json() for finding in check(profile, facts)]
        click.echo(json.dumps(findings, ensure_ascii=False, indent=2))

    _deadlines_command(policy)


def _deadlines_command(policy: click.Group) -> None:
    @policy.command("deadlines")
    @_DIR_OPTION
    @click.argument("profile_id", metavar="PROFILE")
    @click.option("--meeting", "meeting", required=True, metavar="YYYY-MM-DD", help="The meeting's date.")
    def deadlines(directory: Path | None, profile_id: str, meeting: str) -> None:
        """Print the filing deadline of a committee meeting on --meeting under PROFILE, as JSON."""
        from portal.domain.committees import deadlines as compute
        from portal.domain.workdays import UnknownYear
        from portal.extensions import db
        from portal.services.calendar import work_calendar

        folder = DEFAULT_DIRECTORY if directory is None else directory
        known = sorted(p.stem for p in folder.glob("*.toml"))
        if profile_id not in known:
            raise click.BadParameter(
                f"未知的政策配置「{profile_id}」，可用：{', '.join(known)} (unknown profile)",
                param_hint="PROFILE",
            )
        try:
            day = date.fromisoformat(meeting)
        except ValueError:
            raise click.BadParameter(
                f"「{meeting}」不是 YYYY-MM-DD 日期 (not a date)", param_hint="--meeting"
            ) from None
        try:
            profile = load_profile(folder / f"{profile_id}.toml")
        except PolicyError as exc:
            raise click.ClickException(str(exc)) from exc
        if profile.committee is None:
            raise click.ClickException(
                f"{profile_id} 没有评审委员会途径，无评审会议备案时限 (no committee road)"
            )
        try:
            result = compute(profile.committee.filing, day, work_calendar(db.session))
        except UnknownYear as unknown:
            raise click.ClickException(f"{unknown.message} (unknown year {unknown.year})") from None
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
