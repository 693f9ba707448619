"""The Supabase side of sync: applying the server schema, auth, and the HTTP client."""
