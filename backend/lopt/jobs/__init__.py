"""Long work on an existing engine (Celery): many files, long videos, many machines.

``records`` says what a job and its files are; ``store`` keeps them where every API
replica and worker can read them (SQLite on one machine, Redis on many); ``engine`` builds
the Celery app and sends jobs; ``runner`` is what a worker does with one; ``judge`` turns
one file into one row, shared with ``lopt scan``.
"""
