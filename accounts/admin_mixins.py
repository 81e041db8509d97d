"""Admin building blocks shared by the apps above accounts."""


class ReadOnlyAdminMixin:
    """
    Shown, never written: for a page or an inline whose rows change only through a service
    that checks who may change them and records the change (a role change request, a case's
    own pages). Django then renders every field as text and answers a posted change with 403.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
