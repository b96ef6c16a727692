"""The flow of one request: dispatch (message or click in, replies out), the pipeline (plan → gate →
execute → render), execute (the one place that changes a meeting), undo, and the leases that serialize writes."""
