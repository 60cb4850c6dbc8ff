"""The coordinators' dashboard: sessions, CSRF, login throttling, templating and the lyskurve chart.
The page handlers are in bot/service/views/pages/."""
