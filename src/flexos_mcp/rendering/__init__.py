"""Rendering untrusted mockups in a headless browser that reaches nothing but the mockup."""
