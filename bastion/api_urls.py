"""/api/v1/: one router; each app registers its viewsets in ``<app>/api.py``."""

from rest_framework.routers import DefaultRouter

from checkpoints import api as checkpoints_api
from checkpoints.rosters import api as rosters_api
from compounds import api as compounds_api
from residents import api as residents_api
from supplies import api as supplies_api

router = DefaultRouter()
for module in (compounds_api, residents_api, checkpoints_api, supplies_api):
    module.register(router)

urlpatterns = router.urls + checkpoints_api.extra_urls + supplies_api.extra_urls + rosters_api.urls
