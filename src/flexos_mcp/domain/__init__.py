"""Domain rules and SQL, one module per concern. Each public function takes a `Scope` (the
database and the acting user) and runs as one statement or one transaction."""
