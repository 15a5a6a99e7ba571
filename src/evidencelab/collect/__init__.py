"""Collect from the web: a page captured by a headless browser as the server sent it (WARC),
with its screenshot, DOM, MHTML, text and embedded media, packaged as WACZ.

Each step does one job and is named in the capture's settings (as Bellingcat's
auto-archiver configures its archivers and enrichers): the page and its traffic, the
screenshot and snapshots, the embedded media, yt-dlp for video platforms. This layer knows
no case: the service stores what it returns through the one intake pipeline.
"""
