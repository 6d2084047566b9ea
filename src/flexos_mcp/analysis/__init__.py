"""Pure analysis: no I/O, no database. Mockup extraction, token emergence, entity inference,
VueFlow <-> rows, flow analysis, Mermaid. Everything here is testable without a server."""
