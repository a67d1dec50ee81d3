from django.urls import path

from compounds import views

urlpatterns = [
    path("c/<int:compound_id>/branch/", views.branch, name="compound-branch"),
]
