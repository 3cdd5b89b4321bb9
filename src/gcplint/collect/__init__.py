"""Collecting: everything gcplint reads from Google Cloud, and nothing else.

- `apis`: the Google APIs (label, version, default rate);
- `collection`: what a collection is, and `Unreadable` (the one mapping from a failed call);
- `registry`: every collection, declared once, one module per API, with how it is read;
- `session`: reads each collection once per key and shares it; `transport`: calls, retries,
  paging, rate limits; `clients`: the Google client libraries (imported only here);
- `snapshot`: a session's reads stored in a file and replayed offline; `connect`: opens the
  session a scan reads through (the APIs, the demo emulator, or a snapshot).
"""
