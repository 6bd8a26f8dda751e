"""Chain storage: a key-value database (py-evm's AtomicDatabaseAPI) and the schema Wabei keeps in it."""
