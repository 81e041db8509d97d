"""The intake API under /api/v1/intake/."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "intake_api"

router = DefaultRouter()
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("imports", views.ImportBatchViewSet, basename="import")

urlpatterns = router.urls
