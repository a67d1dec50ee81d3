from django.urls import path

from checkpoints import views

app_name = "checkpoints"
urlpatterns = [
    path("c/<int:compound_id>/gate/", views.gate, name="gate"),
    path("c/<int:compound_id>/gate/log/", views.log, name="log"),
]
