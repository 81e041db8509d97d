"""The casework API under /api/v1/. URL keywords are those of the web pages (case_ref, note_id…)."""

from rest_framework.routers import DefaultRouter

from . import plans, views

app_name = "casework_api"

router = DefaultRouter()
router.register("persons", views.PersonViewSet, basename="person")
router.register("relationships", views.RelationshipViewSet, basename="relationship")
router.register("legal-statuses", views.LegalStatusRecordViewSet, basename="legal-status")
router.register("entitlements", views.EntitlementViewSet, basename="entitlement")
router.register("cases", views.CaseViewSet, basename="case")
router.register("notes", views.CaseNoteViewSet, basename="note")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("check-ins", views.CheckInScheduleViewSet, basename="check-in-schedule")
router.register("goals", plans.GoalViewSet, basename="goal")
router.register("plan-reviews", plans.PlanReviewViewSet, basename="plan-review")
router.register("closures", plans.CaseClosureViewSet, basename="closure")

urlpatterns = router.urls
