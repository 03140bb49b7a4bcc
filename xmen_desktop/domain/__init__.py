"""Pure rules of the domain: no Qt, no SQL, no I/O."""
