"""Writes for certificates: progress upkeep, the award engine, definitions, awards.

The counting rule and the awarding rule run as set-based SQL. Progress per person and
program is kept up to date as the record changes (``progress_shift``) and can be rebuilt
from the record (``progress_rebuild``). Every award is one ``INSERT ... SELECT`` guarded by
a partial unique index, so an award happens once however many requests race for it, and
its notification task is enqueued in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.db import connection, transaction
from django.utils import timezone

from laurel.accounts.models import NAME_MAX_LENGTH, User
from laurel.certificates import merge_fields
from laurel.certificates import tables as t
from laurel.certificates.events import AwardCorrected, AwardRevoked, AwardsIssued, award_changes
from laurel.certificates.models import (
    TEXT_MAX_LENGTH,
    AuditEntry,
    CertificateDefinition,
    IssuedCertificate,
    Progress,
)
from laurel.certificates.selectors import Qualifier, counting_sql, definitions_due, would_award
from laurel.errors import Conflict, InvalidInput
from laurel.programs.models import Participant, Program
from laurel.validation import clean_colour, clean_line, clean_text

# Parameters per statement stay well under SQLite's limit of 32,766.
CHUNK = 5000
MAX_THRESHOLD = 10_000


def _chunks(values: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


# --- progress ---------------------------------------------------------------------------


def progress_ensure(*, program_id: int, user_ids: Iterable[int]) -> None:
    """Give everyone in the program a progress row, so updates and awards can join on it."""
    Progress.objects.bulk_create(
        [Progress(program_id=program_id, user_id=user_id) for user_id in set(user_ids)],
        ignore_conflicts=True,
    )


def progress_shift(
    *,
    session_ids: Sequence[int],
    completed_step: Literal[0, 1],
    counting: Literal["with_feedback", 1, -1],
) -> dict[int, list[int]]:
    """Apply a change of these sessions to their members' progress.

    - a session became completed: ``completed_step=1, counting="with_feedback"``;
    - a completed session got its first feedback: ``completed_step=0, counting=1``;
    - a completed session lost its last feedback: ``completed_step=0, counting=-1``.

    Returns the people touched, by program.
    """
    if not session_ids:
        return {}
    if counting == "with_feedback":
        counting_sql_expr = "SUM(CASE WHEN s.first_feedback_at IS NOT NULL THEN 1 ELSE 0 END)"
    else:
        counting_sql_expr = f"COUNT(*) * {int(counting)}"
    touched: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(session_ids):
        delta = f"""
            SELECT p.program_id, m.user_id,
                   COUNT(*) * {int(completed_step)} AS completed,
                   {counting_sql_expr} AS counting
            FROM {t.SESSION} s
            JOIN {t.PAIRING} p ON p.id = s.pairing_id
            JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
            WHERE s.id IN ({_placeholders(chunk)}) AND s.status = 'completed'
            GROUP BY p.program_id, m.user_id
        """  # noqa: S608
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Lock the rows in one order so two transactions touching the same two
                # people never wait on each other in a cycle.
                cursor.execute(
                    f"SELECT g.id FROM {t.PROGRESS} g JOIN ({delta}) d"  # noqa: S608
                    " ON g.program_id = d.program_id AND g.user_id = d.user_id"
                    " ORDER BY g.id FOR UPDATE OF g",
                    list(chunk),
                )
            cursor.execute(
                f"""
                UPDATE {t.PROGRESS}
                SET sessions_completed = sessions_completed + d.completed,
                    sessions_counting = sessions_counting + d.counting
                FROM ({delta}) d
                WHERE {t.PROGRESS}.program_id = d.program_id AND {t.PROGRESS}.user_id = d.user_id
                RETURNING {t.PROGRESS}.program_id, {t.PROGRESS}.user_id
                """,  # noqa: S608
                list(chunk),
            )
            for program_id, user_id in cursor.fetchall():
                touched[program_id].append(user_id)
    return dict(touched)


def progress_rebuild(*, program: Program, user_ids: Sequence[int] | None = None) -> int:
    """Recompute progress from the record, for everyone in the program or some people."""
    if user_ids is None:
        batches: list[list[int] | None] = [None]
    else:
        batches = [list(chunk) for chunk in _chunks(list(dict.fromkeys(user_ids)))]
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for batch in batches:
            select_sql, params = counting_sql(program_id=program.pk, user_ids=batch)
            if batch is None:
                cursor.execute(f"DELETE FROM {t.PROGRESS} WHERE program_id = %s", [program.pk])  # noqa: S608
            else:
                cursor.execute(
                    f"DELETE FROM {t.PROGRESS} WHERE program_id = %s"  # noqa: S608
                    f" AND user_id IN ({_placeholders(batch)})",
                    [program.pk, *batch],
                )
            cursor.execute(
                f"INSERT INTO {t.PROGRESS} (program_id, user_id, sessions_completed, sessions_counting)"  # noqa: S608
                f" SELECT %s, c.* FROM ({select_sql}) c",
                [program.pk, *params],
            )
            rows += cursor.rowcount
        if user_ids is None:
            # Every row of the program was just replaced: tell the query planner, or it
            # keeps planning awards as if nobody had any sessions.
            cursor.execute(f"ANALYZE {t.PROGRESS}")
    return rows


# --- the award engine -------------------------------------------------------------------


def _random_token_sql() -> str:
    # 128 random bits as hex, from the database's own strong random source.
    if connection.vendor == "postgresql":
        return "replace(gen_random_uuid()::text, '-', '')"
    return "lower(hex(randomblob(16)))"


def _merge_values(
    *, definition: CertificateDefinition, program: Program, now: datetime
) -> dict[str, str]:
    return {
        "recipient_name": "",
        "program_name": program.name,
        "organisation_name": program.organisation.name,
        "sessions_required": str(definition.threshold or ""),
        "date": merge_fields.format_date(now),
    }


def awards_grant(
    *,
    definition: CertificateDefinition,
    program: Program,
    method: Literal["automatic", "manual"],
    by: User | None = None,
    user_ids: Sequence[int] | None = None,
    minimum_counting: int | None = None,
    now: datetime | None = None,
) -> list[tuple[int, int]]:
    """Award ``definition`` to everyone in ``user_ids`` (or in the program) who does not
    hold it yet and has at least ``minimum_counting`` counting sessions.

    Returns ``(award id, user id)`` for each new award. People who already hold it, or
    whom a concurrent transaction awarded first, are left as they are.
    """
    now = now or timezone.now()
    values = _merge_values(definition=definition, program=program, now=now)
    parts = merge_fields.split_on_recipient(definition.text, values)
    text_sql = " || u.name || ".join(["%s"] * len(parts))
    true = True
    select_params: list[Any] = [
        true, definition.pk, method, by.pk if by else None, now, now, true,
        definition.name, definition.text, *parts, definition.colour,
        program.banner.name or "", program.organisation.logo.name or "",
        program.organisation.name, program.name, definition.threshold,
    ]  # fmt: skip
    sql_head = f"""
        INSERT INTO {t.ISSUED} (
            public_id, version, is_current, definition_id, program_id, user_id, participant_id,
            method, awarded_by_id, issued_at, created_at, status, revocation_reason, is_public,
            recipient_name, name, text_template, text, colour, banner, logo,
            organisation_name, program_name, sessions_required)
        SELECT {_random_token_sql()}, 1, %s, %s, g.program_id, g.user_id,
               (SELECT MIN(pt.id) FROM {t.PARTICIPANT} pt
                 WHERE pt.program_id = g.program_id AND pt.user_id = g.user_id),
               %s, %s, %s, %s, 'valid', '', %s,
               u.name, %s, %s, {text_sql}, %s, %s, %s, %s, %s, %s
        FROM {t.PROGRESS} g
        JOIN {t.USER} u ON u.id = g.user_id
        WHERE g.program_id = %s AND g.sessions_counting >= %s
    """  # noqa: S608
    # Holders are skipped by ON CONFLICT on the partial unique index rather than by a NOT
    # EXISTS on the table being filled: a planner that believes it empty would scan it
    # once per inserted row.
    where_params = [program.pk, minimum_counting or 0]
    created: list[tuple[int, int]] = []
    batches: list[Sequence[int] | None] = (
        [None] if user_ids is None else list(_chunks(list(user_ids)))
    )
    with connection.cursor() as cursor:
        for batch in batches:
            sql = sql_head
            params = [*select_params, *where_params]
            if batch is not None:
                if not batch:
                    continue
                sql += f" AND g.user_id IN ({_placeholders(batch)})"
                params += list(batch)
            cursor.execute(sql + " ON CONFLICT DO NOTHING RETURNING id, user_id", params)
            created.extend((row[0], row[1]) for row in cursor.fetchall())
    _announce_awards(
        award_ids=[award_id for award_id, _ in created], organisation_id=program.organisation_id
    )
    return created


def _announce_awards(*, award_ids: Sequence[int], organisation_id: int) -> None:
    if award_ids:
        award_changes.announce(
            AwardsIssued(award_ids=list(award_ids), organisation_id=organisation_id)
        )


def awards_after_record_change(
    *, program: Program, user_ids: Sequence[int]
) -> list[tuple[int, int]]:
    """Award every enabled automatic certificate these people now qualify for, once."""
    if program.kind != Program.Kind.ONE_ON_ONE or not user_ids:
        return []
    created: list[tuple[int, int]] = []
    for batch in _chunks(list(user_ids)):
        for definition in definitions_due(program=program, user_ids=list(batch)):
            created += awards_grant(
                definition=definition,
                program=program,
                method="automatic",
                user_ids=batch,
                minimum_counting=definition.threshold,
            )
    return created


def record_changed(*, touched: dict[int, list[int]]) -> list[tuple[int, int]]:
    """Award what a change of the record earned, for the people ``progress_shift`` touched."""
    created: list[tuple[int, int]] = []
    programs = Program.objects.select_related("organisation").in_bulk(list(touched))
    for program_id, user_ids in touched.items():
        created += awards_after_record_change(program=programs[program_id], user_ids=user_ids)
    return created


# --- definitions ------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput:
    type: str
    threshold: int | None = None
    guidance: str = ""


class ConfirmationRequired(Conflict):
    """The change would award people at once; ask again with ``confirm=True``."""

    title = "Confirmation required"

    def __init__(self, detail: str, *, would_award: list[Qualifier]) -> None:
        super().__init__(detail)
        self.would_award = would_award


def _audit(
    *,
    action: str,
    program: Program,
    actor: User | None,
    definition: CertificateDefinition | None = None,
    award: IssuedCertificate | None = None,
    data: dict[str, Any] | None = None,
    via: str = "",
) -> None:
    AuditEntry.objects.create(
        organisation_id=program.organisation_id,
        program=program,
        actor=actor,
        via=via,
        action=action,
        definition=definition,
        award=award,
        data=data or {},
    )


def _clean_rule(rule: RuleInput, *, program: Program) -> RuleInput:
    if rule.type == CertificateDefinition.Rule.SESSIONS_COMPLETED:
        if program.kind == Program.Kind.DEVELOPMENT:
            raise InvalidInput.field(
                "rule",
                "Development programs award certificates manually only; "
                "use the rule type 'manual'.",
            )
        threshold = rule.threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int):
            raise InvalidInput.field(
                "rule.threshold", "The number of sessions must be a whole number."
            )
        if not 1 <= threshold <= MAX_THRESHOLD:
            raise InvalidInput.field(
                "rule.threshold", f"The number of sessions must be between 1 and {MAX_THRESHOLD}."
            )
        return RuleInput(type=rule.type, threshold=threshold, guidance="")
    if rule.type == CertificateDefinition.Rule.MANUAL:
        guidance = clean_text(
            rule.guidance, field="rule.guidance", label="Guidance", max_length=TEXT_MAX_LENGTH,
            required=False,
        )  # fmt: skip
        return RuleInput(type=rule.type, threshold=None, guidance=guidance)
    raise InvalidInput.field(
        "rule.type", f"Unknown rule type {rule.type!r}; use 'sessions_completed' or 'manual'."
    )


def _clean_design(*, name: object, text: object, colour: object) -> tuple[str, str, str]:
    name = clean_line(name, field="name", label="Certificate name", max_length=200)
    text = clean_text(text, field="text", label="Certificate text", max_length=TEXT_MAX_LENGTH)
    unknown = merge_fields.unknown_fields(text)
    if unknown:
        listed = ", ".join("{" + u + "}" for u in unknown)
        known = ", ".join("{" + f + "}" for f in merge_fields.FIELDS)
        raise InvalidInput.field(
            "text", f"Unknown merge field {listed}. Available fields: {known}."
        )
    return name, text, clean_colour(colour)


def _refuse_group(program: Program) -> None:
    if program.kind == Program.Kind.GROUP:
        raise InvalidInput.field(
            "program",
            "Certificates are not yet available in group programs; "
            "they can be added to 1:1 and development programs.",
        )


def certificate_create(
    *,
    program: Program,
    by: User | None,
    name: str,
    text: str,
    colour: str,
    rule: RuleInput,
    via: str = "",
) -> CertificateDefinition:
    """A new certificate for ``program``, disabled until an admin enables it."""
    _refuse_group(program)
    name, text, colour = _clean_design(name=name, text=text, colour=colour)
    rule = _clean_rule(rule, program=program)
    with transaction.atomic():
        definition = CertificateDefinition.objects.create(
            program=program, name=name, text=text, colour=colour,
            rule=rule.type, threshold=rule.threshold, guidance=rule.guidance,
        )  # fmt: skip
        _audit(via=via, action=AuditEntry.Action.CREATED, program=program, actor=by, definition=definition,
               data={"name": name, "rule": rule.type, "threshold": rule.threshold})  # fmt: skip
    return definition


@dataclass(frozen=True)
class EnableResult:
    definition: CertificateDefinition
    awarded: int


def _locked(definition: CertificateDefinition) -> CertificateDefinition:
    return (
        CertificateDefinition.objects.select_for_update(of=("self",))
        .select_related("program__organisation")
        .get(pk=definition.pk)
    )


def _confirmation_detail(qualifiers: list[Qualifier], what: str) -> str:
    count = len(qualifiers)
    people = "1 person" if count == 1 else f"{count} people"
    return f"{what} awards this certificate now to {people} and emails them. Confirm to go ahead."


def certificate_enable(
    *,
    definition: CertificateDefinition,
    by: User | None,
    confirm: bool,
    via: str = "",
) -> EnableResult:
    """Enable a certificate, awarding it at once to everyone whose record already qualifies.

    Without ``confirm`` nothing changes and ``ConfirmationRequired`` lists exactly who
    would be awarded.
    """
    with transaction.atomic():
        definition = _locked(definition)
        program = definition.program
        _refuse_group(program)
        if definition.enabled:
            return EnableResult(definition=definition, awarded=0)
        if not confirm:
            qualifiers = would_award(definition=definition, threshold=definition.threshold)
            raise ConfirmationRequired(
                _confirmation_detail(qualifiers, "Enabling"), would_award=qualifiers
            )
        now = timezone.now()
        definition.enabled = True
        definition.enabled_at = now
        definition.save(update_fields=["enabled", "enabled_at", "updated_at"])
        awarded: list[tuple[int, int]] = []
        if definition.is_automatic:
            awarded = awards_grant(
                definition=definition, program=program, method="automatic",
                minimum_counting=definition.threshold, now=now,
            )  # fmt: skip
        _audit(via=via, action=AuditEntry.Action.ENABLED, program=program, actor=by, definition=definition,
               data={"awarded": len(awarded)})  # fmt: skip
    return EnableResult(definition=definition, awarded=len(awarded))


def certificate_disable(
    *,
    definition: CertificateDefinition,
    by: User | None,
    via: str = "",
) -> CertificateDefinition:
    """Stop awarding a certificate. Certificates already earned stay valid."""
    with transaction.atomic():
        definition = _locked(definition)
        if definition.enabled:
            definition.enabled = False
            definition.save(update_fields=["enabled", "updated_at"])
            _audit(via=via, action=AuditEntry.Action.DISABLED, program=definition.program, actor=by,
                   definition=definition)  # fmt: skip
    return definition


_UNSET: Any = object()


def certificate_update(
    *,
    definition: CertificateDefinition,
    by: User | None,
    name: str = _UNSET,
    text: str = _UNSET,
    colour: str = _UNSET,
    rule: RuleInput = _UNSET,
    confirm: bool = False,
    via: str = "",
) -> EnableResult:
    """Edit a certificate's design or rule.

    Design edits never touch issued certificates. A rule change that would award people
    at once needs ``confirm``; a stricter rule never revokes anything.
    """
    with transaction.atomic():
        definition = _locked(definition)
        program = definition.program
        new_name, new_text, new_colour = _clean_design(
            name=definition.name if name is _UNSET else name,
            text=definition.text if text is _UNSET else text,
            colour=definition.colour if colour is _UNSET else colour,
        )
        design_changes = {
            key: value
            for key, value, old in (
                ("name", new_name, definition.name),
                ("text", new_text, definition.text),
                ("colour", new_colour, definition.colour),
            )
            if value != old
        }
        rule_changes: dict[str, Any] = {}
        if rule is not _UNSET:
            new_rule = _clean_rule(rule, program=program)
            if (new_rule.type, new_rule.threshold, new_rule.guidance) != (
                definition.rule, definition.threshold, definition.guidance
            ):  # fmt: skip
                rule_changes = {
                    "from": {"type": definition.rule, "threshold": definition.threshold},
                    "to": {"type": new_rule.type, "threshold": new_rule.threshold},
                }
                if definition.enabled and not confirm:
                    qualifiers = would_award(definition=definition, threshold=new_rule.threshold)
                    if qualifiers:
                        raise ConfirmationRequired(
                            _confirmation_detail(qualifiers, "This rule change"),
                            would_award=qualifiers,
                        )
                definition.rule = new_rule.type
                definition.threshold = new_rule.threshold
                definition.guidance = new_rule.guidance
        if not design_changes and not rule_changes:
            return EnableResult(definition=definition, awarded=0)
        definition.name, definition.text, definition.colour = new_name, new_text, new_colour
        definition.save()
        if design_changes:
            _audit(via=via, action=AuditEntry.Action.EDITED, program=program, actor=by,
                   definition=definition, data={"changed": sorted(design_changes)})  # fmt: skip
        awarded: list[tuple[int, int]] = []
        if rule_changes:
            if definition.enabled and definition.is_automatic:
                awarded = awards_grant(
                    definition=definition, program=program, method="automatic",
                    minimum_counting=definition.threshold,
                )  # fmt: skip
            _audit(via=via, action=AuditEntry.Action.RULE_CHANGED, program=program, actor=by,
                   definition=definition, data={**rule_changes, "awarded": len(awarded)})  # fmt: skip
    return EnableResult(definition=definition, awarded=len(awarded))


# --- manual awards, revocation, re-issue --------------------------------------------------


@dataclass(frozen=True)
class ManualAwardResult:
    awarded: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def certificate_award(
    *,
    definition: CertificateDefinition,
    by: User | None,
    participant_ids: Sequence[int],
    via: str = "",
) -> ManualAwardResult:
    """Award a certificate by hand. People who already hold it are skipped, not duplicated."""
    wanted = list(dict.fromkeys(participant_ids))
    if not wanted:
        raise InvalidInput.field("participant_ids", "Choose at least one participant to award.")
    with transaction.atomic():
        definition = _locked(definition)
        program = definition.program
        _refuse_group(program)
        if not definition.enabled:
            raise Conflict("This certificate is disabled. Enable it before awarding it.")
        user_by_participant: dict[int, int] = {}
        for batch in _chunks(wanted):
            user_by_participant.update(
                Participant.objects.filter(program=program, pk__in=batch).values_list(
                    "pk", "user_id"
                )
            )
        unknown = [pid for pid in wanted if pid not in user_by_participant]
        if unknown:
            shown = ", ".join(str(pid) for pid in unknown[:20])
            raise InvalidInput.field(
                "participant_ids", f"These participants are not in this program: {shown}."
            )
        created = awards_grant(
            definition=definition, program=program, method="manual", by=by,
            user_ids=list(dict.fromkeys(user_by_participant.values())),
        )  # fmt: skip
        award_by_user = {user_id: award_id for award_id, user_id in created}
        awarded: list[int] = []
        skipped: list[int] = []
        for pid in wanted:
            award_id = award_by_user.pop(user_by_participant[pid], None)
            if award_id is None:
                skipped.append(pid)
            else:
                awarded.append(award_id)
        _audit(via=via, action=AuditEntry.Action.AWARDED_MANUALLY, program=program, actor=by,
               definition=definition,
               data={"awarded": len(awarded), "skipped": len(skipped), "award_ids": awarded[:1000]})  # fmt: skip
    return ManualAwardResult(awarded=awarded, skipped=skipped)


def _locked_award(award: IssuedCertificate) -> IssuedCertificate:
    return (
        IssuedCertificate.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=award.pk)
    )


def award_revoke(
    *, award: IssuedCertificate, by: User | None, reason: str, via: str = ""
) -> IssuedCertificate:
    """Revoke an issued certificate; its public page and credential then say so."""
    reason = clean_text(reason, field="reason", label="Reason", max_length=TEXT_MAX_LENGTH)
    with transaction.atomic():
        award = _locked_award(award)
        if not award.is_current:
            raise Conflict("This version was superseded; revoke the current version instead.")
        if award.status == IssuedCertificate.Status.REVOKED:
            raise Conflict("This certificate is already revoked.")
        award.status = IssuedCertificate.Status.REVOKED
        award.revoked_at = timezone.now()
        award.revoked_by = by
        award.revocation_reason = reason
        award.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
        _audit(via=via, action=AuditEntry.Action.REVOKED, program=award.program, actor=by, award=award,
               definition=award.definition, data={"reason": reason})  # fmt: skip
        award_changes.announce(
            AwardRevoked(award_id=award.pk, organisation_id=award.program.organisation_id)
        )
    return award


def award_reissue(
    *,
    award: IssuedCertificate,
    by: User | None,
    recipient_name: str | None = None,
    via: str = "",
) -> IssuedCertificate:
    """Issue a corrected version that supersedes ``award`` under the same public link.

    Everything frozen stays as it was except the recipient's name (by default the
    person's current name), which is merged into the certificate text again.
    """
    with transaction.atomic():
        old = _locked_award(award)
        if not old.is_current:
            raise Conflict("This version was already superseded; correct the current version.")
        if old.status == IssuedCertificate.Status.REVOKED:
            raise Conflict("A revoked certificate cannot be re-issued.")
        name = clean_line(
            recipient_name if recipient_name is not None else old.user.name,
            field="recipient_name", label="Recipient name", max_length=NAME_MAX_LENGTH,
        )  # fmt: skip
        IssuedCertificate.objects.filter(pk=old.pk).update(is_current=False)
        values = {
            "recipient_name": name,
            "program_name": old.program_name,
            "organisation_name": old.organisation_name,
            "sessions_required": str(old.sessions_required or ""),
            "date": merge_fields.format_date(old.issued_at),
        }
        new = IssuedCertificate.objects.create(
            public_id=old.public_id, version=old.version + 1, supersedes=old,
            definition_id=old.definition_id, program_id=old.program_id, user_id=old.user_id,
            participant_id=old.participant_id, method=old.method, awarded_by=by,
            issued_at=old.issued_at, created_at=timezone.now(), is_public=old.is_public,
            notified_at=old.notified_at, recipient_name=name, name=old.name,
            text_template=old.text_template, text=merge_fields.render(old.text_template, values),
            colour=old.colour, banner=old.banner, logo=old.logo,
            organisation_name=old.organisation_name, program_name=old.program_name,
            sessions_required=old.sessions_required,
        )  # fmt: skip
        _audit(via=via, action=AuditEntry.Action.REISSUED, program=old.program, actor=by, award=new,
               definition=old.definition,
               data={"from_version": old.version, "to_version": new.version})  # fmt: skip
        award_changes.announce(
            AwardCorrected(
                award_id=new.pk,
                previous_award_id=old.pk,
                organisation_id=old.program.organisation_id,
            )
        )
    return new
