"""HTTP only: the app factory, routes, schemas and the error mapping."""
