"""Online image search (Pexels, Unsplash, Giphy, Google image search) behind one interface.

Used by Studio's media library when online and a key is configured. Each provider maps its
own API's JSON onto ``MediaHit``; every failure (offline, bad key, rate limit, server error,
malformed reply) becomes a ``MediaSearchError`` with a message for the creator.
"""
