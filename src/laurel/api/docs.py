"""The interactive API documentation: swagger-ui from Laurel's own static files.

django-ninja's page would load swagger-ui from a CDN unless ninja were an installed app;
this one uses the copy vendored in ``static/swagger-ui`` (5.35.0) and an init script
file, so that the page works under the site's Content-Security-Policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_UI_VERSION = "5.35.0"


class VendoredSwagger(Swagger):
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # Otherwise swagger-ui sends the document to an outside validator for its badge.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        return render(
            request,
            "api/swagger.html",
            {
                "api": api,
                "openapi_url": openapi_url,
                "swagger_settings": {**self.settings, "url": openapi_url},
            },
        )
