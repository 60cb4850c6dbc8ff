"""Appointments: booking, moving and cancelling (one set of rules for API and dashboard), the
citizen's JA / KAN IKKE, attendance and the alerts they raise."""
