"""The floor: settings, errors, the shared data model, text normalisation and SQLite storage (the catalog,
staff accounts, the job queue). Imports nothing of the project above it."""
