from django.urls import path

from laurel.verification import badge_views, views

app_name = "verification"

# The file patterns come first: the page's id pattern would match "<id>.pdf" too. The
# URL names of the files are the kinds of RenderedFile.
urlpatterns = [
    path("c/<str:public_id>.pdf", views.certificate_pdf, name="pdf"),
    path("c/<str:public_id>.png", views.certificate_card, name="card"),
    path("c/<str:public_id>/preview.png", views.certificate_preview, name="preview"),
    path("c/<str:public_id>/visibility", views.certificate_visibility, name="visibility"),
    path("c/<str:public_id>", views.certificate_page, name="page"),
    path("b/<str:public_id>.png", badge_views.badge_image, name="badge_image"),
    path("b/<str:public_id>/card.png", badge_views.badge_card, name="badge_card"),
    path("b/<str:public_id>/visibility", badge_views.badge_visibility, name="badge_visibility"),
    path("b/<str:public_id>", badge_views.badge_page, name="badge_page"),
]
