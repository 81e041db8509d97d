"""The referrals API under /api/v1/referrals/."""

from rest_framework.routers import DefaultRouter

from . import views

app_name = "referrals_api"

router = DefaultRouter()
router.register("providers", views.ProviderViewSet, basename="provider")
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns = router.urls
