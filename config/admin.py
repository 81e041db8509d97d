"""
The admin site: Django's, except that a signed-in user without staff status is refused with the
403 page. Django's own answer sends them to the admin's login, which is the one login of the app
(with the second factor); that login sees them signed in and sends them back to /admin/: a loop.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied


class ShimteoAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def refuse_non_staff(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return guarded(request, *args, **kwargs)

        # Keeps the attributes Django's wrapper set (csrf exemption, admin_site).
        refuse_non_staff.__dict__.update(guarded.__dict__)
        return refuse_non_staff
