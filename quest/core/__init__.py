"""The service's foundation: settings, state, database, Redis, middleware, errors, scheduler."""
