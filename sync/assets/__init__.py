"""Asset files travel with sync: upload to, and download from, Supabase Storage (no Qt)."""
