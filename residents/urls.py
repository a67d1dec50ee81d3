from django.urls import path

from residents import views

app_name = "residents"
urlpatterns = [
    path("c/<int:compound_id>/households/", views.households, name="households"),
    path("c/<int:compound_id>/vulnerable/", views.vulnerable, name="vulnerable"),
    path("c/<int:compound_id>/returnees/", views.returnees, name="returnees"),
]
