"""Reports. Output is produced only here and by the CLI."""
