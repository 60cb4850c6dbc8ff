"""Dashboard pages (server-rendered HTML, Danish). Every handler scopes its queries to the logged-in
coordinator: another coordinator's citizen, alert or appointment is a 404."""
