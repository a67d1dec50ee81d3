from django.urls import path

from compounds import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<int:compound_id>/", views.compound_home, name="compound-home"),
    path("c/<int:compound_id>/branch/", views.branch, name="compound-branch"),
]
