"""The legal aid API under /api/v1/legal/: advocacy documents (keyword `document_id`)."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "legal_aid_api"

router = DefaultRouter()
router.register("documents", views.AdvocacyDocumentViewSet, basename="advocacy-document")

urlpatterns = router.urls
