"""Answers that do not depend on the page asked for: a busy database, and error responses
under ``/api/`` that must be problem+json whatever raised them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from laurel.api.problems import PROBLEM_CONTENT_TYPE, problem_response
from laurel.db_locks import is_database_busy
from laurel.participation.timezones import chosen_zone

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def database_busy_response(request: HttpRequest) -> HttpResponse:
    retry_after = settings.DATABASE_BUSY_RETRY_AFTER_SECONDS
    detail = _(
        "Laurel is busy with a long change and could not save yours. Nothing was changed;"
        " try again in %(seconds)s seconds."
    ) % {"seconds": retry_after}
    if _is_api(request):
        response = problem_response(status=503, type_="database-busy", detail=detail)
    else:
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


class DatabaseBusyMiddleware:
    """A write that cannot get the database's lock in time is a 503 with Retry-After.

    The client did nothing wrong and the same request will work shortly, which is what a
    503 says; a 500 would say Laurel is broken.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_busy(exception):
            return database_busy_response(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: also reached when a middleware, not a view, met the busy database."""
    error = sys.exc_info()[1]
    if error is not None and is_database_busy(error):
        return database_busy_response(request)
    if _is_api(request):
        return _api_problem(500)
    return HttpResponse(
        _("Something went wrong on our side. It has been logged; please try again later."),
        status=500,
        content_type="text/plain; charset=utf-8",
    )


def _api_problem(status: int) -> HttpResponse:
    details = {
        400: _("The request is malformed or was sent to a host name Laurel does not serve."),
        404: _("There is nothing at this address. The API's paths are listed at /api/v1/docs."),
        405: _("This address does not take this method; see /api/v1/docs for the ones it does."),
        500: _("Something went wrong on our side. It has been logged; please try again later."),
    }
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = _("Error")
    detail = details.get(status, phrase + ".")
    type_ = phrase.lower().replace(" ", "-").replace("'", "") if phrase else "error"
    return problem_response(status=status, type_=type_, detail=str(detail))


class ApiProblemMiddleware:
    """Every error under ``/api/`` is ``application/problem+json`` (RFC 9457).

    The API's own errors already are; this catches what Django answers before or around
    the API: an unknown path, a method a path does not take, a host name that is not
    allowed, and a crash.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not _is_api(request)
            or response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            return response
        problem = _api_problem(response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                problem[header] = response[header]
        return problem


class UserTimezoneMiddleware:
    """Pages show times in the time zone the person chose (``participation.timezones``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _is_api(request):
            return self.get_response(request)
        # Looking the choice up must not make every answer vary by cookie: a page that
        # shows times reads the session anyway (to know who is signed in), and the public
        # files, which show none, stay cacheable by shared caches.
        session = getattr(request, "session", None)
        accessed = session.accessed if session is not None else False
        zone = chosen_zone(request)
        if session is not None:
            session.accessed = accessed
        with timezone.override(zone):
            return self.get_response(request)
