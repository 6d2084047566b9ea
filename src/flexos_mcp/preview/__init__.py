"""`flexos-mcp preview`: a read-only web app over the domain layer, for people who would rather
look at their project than read JSON. Starlette (the ASGI stack the MCP SDK brings), Jinja2
templates with autoescaping, static files shipped as package data; every page reads without
JavaScript. Mockups are shown in sandboxed frames that cannot reach the preview (see frame.py).
"""
