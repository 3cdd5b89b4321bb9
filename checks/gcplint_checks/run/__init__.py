"""Cloud Run checks (`run.*`), by theme: exposure (who can call a service), config (what its
template carries and how it scales), rollback (whether a bad deploy can be undone) and
reliability (health checks, warm instances, pinned secrets, database connections)."""
