"""Domain, catalog, file store, configuration, CLI and web app of the heritage archive."""
