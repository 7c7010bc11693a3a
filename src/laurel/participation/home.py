"""The home page: a participant's activity (programs, progress, certificates) and their
badges; the programs an admin looks after."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from laurel.accounts.models import User
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.selectors import BadgeStanding, badge_standings
from laurel.badges.wording import progress_in_words
from laurel.certificates.activity import activity_for_user
from laurel.certificates.reporting import programs_administered_by
from laurel.programs.models import Organisation


@dataclass(frozen=True)
class BadgeToEarn:
    """A badge for a role the person holds, not earned yet, and how far they are."""

    standing: BadgeStanding
    progress: str
    colour: str
    image_url: str

    @property
    def badge(self) -> BadgeDefinition:
        return self.standing.badge

    @property
    def shown(self) -> int:
        return min(self.standing.count, self.standing.threshold)

    @property
    def percent(self) -> int:
        return 100 * self.shown // max(self.standing.threshold, 1)


@dataclass(frozen=True)
class OrganisationBadges:
    organisation: Organisation
    # As they were awarded (revoked ones too), newest first.
    earned: list[IssuedBadge]
    towards: list[BadgeToEarn]


def _to_earn(standing: BadgeStanding, organisation: Organisation) -> BadgeToEarn:
    badge = standing.badge
    return BadgeToEarn(
        standing=standing,
        progress=progress_in_words(
            rule=badge.rule, role=badge.role, count=standing.count, threshold=standing.threshold
        ),
        colour=badge.colour or organisation.accent_colour,
        image_url=badge.image.url if badge.image else "",
    )


def badges_for_user(*, user_id: int, organisations: list[Organisation]) -> list[OrganisationBadges]:
    """The person's badges in each of their organisations: those they earned (from every
    organisation at once), and, where the organisation has badges enabled, those for the
    roles they hold that they have not earned yet, closest first.

    Two queries, and ``badge_standings``'s for each organisation with a badge enabled.
    """
    if not organisations:
        return []
    earned: dict[int, list[IssuedBadge]] = {}
    for award in (
        IssuedBadge.objects.filter(user_id=user_id, badge__organisation__in=organisations)
        .select_related("badge")
        .order_by("-issued_at", "-pk")
    ):
        earned.setdefault(award.badge.organisation_id, []).append(award)
    enabled = set(
        BadgeDefinition.objects.filter(organisation__in=organisations, enabled=True)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    shown = []
    for organisation in organisations:
        towards = []
        if organisation.pk in enabled:
            towards = [
                _to_earn(standing, organisation)
                for standing in badge_standings(organisation_id=organisation.pk, user_id=user_id)
                if standing.award is None
            ]
        if earned.get(organisation.pk) or towards:
            shown.append(
                OrganisationBadges(
                    organisation=organisation,
                    earned=earned.get(organisation.pk, []),
                    towards=sorted(
                        towards, key=lambda b: (-b.percent, b.standing.threshold, b.badge.name)
                    ),
                )
            )
    return shown


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A participant's programs, progress, certificates and badges; an admin's programs."""
    assert isinstance(request.user, User)
    activity = activity_for_user(user_id=request.user.pk)
    organisations = list(
        {item.program.organisation_id: item.program.organisation for item in activity}.values()
    )
    administered = list(programs_administered_by(user_id=request.user.pk))
    context: dict[str, object] = {
        "activity": activity,
        "administered": administered,
        "badges": badges_for_user(user_id=request.user.pk, organisations=organisations),
    }
    if administered:
        # Known already: the header's console link needs no query of its own here.
        context["administers_organisation"] = True
    return render(request, "participation/home.html", context)
