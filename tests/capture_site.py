"""The fixture web site the capture tests (and the capture benchmark) serve on loopback.

Pages: an article with two photos, a post with OpenGraph and JSON-LD markup and a photo
and an MP4 (reached through ``/old``), a page with an HTML5 video, a redirect chain of
two hops, a 404 page, a page whose last image never arrives (it never finishes loading),
a page that answers nothing for six seconds, an endless scroll, a page that sets a cookie
and serves its photo only to a browser that sends it back, a large download, and a page
over 400 kB. Photos and the video are files of the test corpus (see its README).

``serve_site()`` yields the site's base URL; ``SERVED`` holds every path's body as served,
so a test can compare what a capture kept with what the server sent.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus" / "metadata-extractor-images"
PHOTO = (CORPUS / "jpg" / "Apple iPhone 4.jpg").read_bytes()
PHOTO_2 = (CORPUS / "jpg" / "Nikon D5000.jpg").read_bytes()
PHOTO_3 = (CORPUS / "jpg" / "HTC Desire.jpg").read_bytes()
VIDEO = (CORPUS / "mp4" / "with-gps.mp4").read_bytes()
HANG_S = 20.0  # how long the never-ending image keeps its connection open
SLOW_S = 6.0  # how long /slow answers nothing
COOKIE = "session=fixture-7f3a"

POST = b"""<!doctype html><html lang="en"><head><title>Strike on the market</title>
<meta property="og:title" content="Market struck at dawn">
<meta property="og:image" content="/media/photo.jpg">
<meta property="article:published_time" content="2022-02-24T09:12:00+02:00">
<script type="application/ld+json">{"@context": "https://schema.org",
 "@type": "SocialMediaPosting", "headline": "Market struck at dawn",
 "author": {"@type": "Person", "name": "A witness", "alternateName": "@witness_ua"},
 "datePublished": "2022-02-24T09:12:00+02:00", "identifier": "1497"}</script>
</head><body><h1>Market struck at dawn</h1><p>Photo and video from the scene.</p>
<img src="/media/photo.jpg" alt="the market"><video src="/media/clip.mp4" controls></video>
</body></html>"""

ARTICLE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Shelling of the school on Lesi Ukrainky street</title>
<meta property="og:title" content="Shelling of the school">
</head><body><article><h1>Shelling of the school on Lesi Ukrainky street</h1>
<p>Residents said the first explosion came shortly after seven in the morning.</p>
<figure><img src="/media/school-1.jpg" alt="the school's east wing"
 width="640" height="480"><figcaption>The east wing.</figcaption></figure>
<p>A second photo shows the yard and the crater beside the gate.</p>
<figure><img src="/media/school-2.jpg" alt="the yard" width="640" height="480">
<figcaption>The yard.</figcaption></figure></article></body></html>"""

VIDEO_PAGE = b"""<!doctype html><html lang="en"><head><title>Video of the strike</title>
</head><body><h1>Video of the strike</h1>
<video controls width="640" poster="/media/poster.jpg"><source src="/media/strike.mp4"
 type="video/mp4"></video></body></html>"""

GONE = b"""<!doctype html><html lang="en"><head><title>Post not found</title></head>
<body><h1>This post is no longer available</h1></body></html>"""

NEVER_LOADS = b"""<!doctype html><html lang="en"><head><title>Still loading</title></head>
<body><h1>A page that never finishes loading</h1><p>The text is here already.</p>
<img src="/media/photo.jpg" alt="arrives"><img src="/hang.jpg" alt="never arrives">
</body></html>"""

ENDLESS = b"""<!doctype html><html lang="en"><head><title>Endless feed</title></head>
<body><h1>Endless feed</h1><div id="feed"></div><script>
let n = 0;
function more() {
  for (let i = 0; i < 5; i++) {
    const p = document.createElement('p');
    p.style.height = '300px';
    p.textContent = 'Post ' + (++n);
    document.getElementById('feed').appendChild(p);
  }
}
more();
window.addEventListener('scroll', () => {
  if (window.scrollY + window.innerHeight >= document.body.scrollHeight - 600) more();
});
</script></body></html>"""

COOKIE_PAGE = b"""<!doctype html><html lang="en"><head><title>Members' post</title></head>
<body><h1>Members' post</h1><img src="/media/members.jpg" alt="shown with the cookie">
</body></html>"""

REDIRECTS = {"/old": "/post", "/hop-1": "/hop-2", "/hop-2": "/article"}
SERVED: dict[str, tuple[int, str, bytes]] = {
    "/post": (200, "text/html; charset=utf-8", POST),
    "/article": (200, "text/html; charset=utf-8", ARTICLE),
    "/video": (200, "text/html; charset=utf-8", VIDEO_PAGE),
    "/gone": (404, "text/html; charset=utf-8", GONE),
    "/never-loads": (200, "text/html; charset=utf-8", NEVER_LOADS),
    "/endless": (200, "text/html; charset=utf-8", ENDLESS),
    "/cookies": (200, "text/html; charset=utf-8", COOKIE_PAGE),
    "/media/photo.jpg": (200, "image/jpeg", PHOTO),
    "/media/clip.mp4": (200, "video/mp4", VIDEO),
    "/media/school-1.jpg": (200, "image/jpeg", PHOTO_2),
    "/media/school-2.jpg": (200, "image/jpeg", PHOTO_3),
    "/media/poster.jpg": (200, "image/jpeg", PHOTO_3),
    "/media/strike.mp4": (200, "video/mp4", VIDEO),
    "/media/members.jpg": (200, "image/jpeg", PHOTO_2),
    "/download": (200, "application/octet-stream", bytes(3_000_000)),
    "/big": (200, "text/html", b"<html><body>" + b"x" * 400_000 + b"</body></html>"),
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in REDIRECTS:
            self._answer(302 if path == "/old" else 301, "text/plain", b"", REDIRECTS[path])
        elif path == "/hang.jpg":
            time.sleep(HANG_S)  # headers never come while the capture waits
        elif path == "/slow":
            time.sleep(SLOW_S)
            self._answer(200, "text/html", b"<html><body>late</body></html>")
        elif path == "/media/members.jpg" and COOKIE not in (self.headers.get("Cookie") or ""):
            self._answer(403, "text/plain", b"members only")
        else:
            self._answer(*SERVED.get(path, (404, "text/plain", b"not found")))

    def _answer(self, status: int, media_type: str, body: bytes, location: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        if self.path == "/cookies":
            self.send_header("Set-Cookie", f"{COOKIE}; Path=/; HttpOnly")
        if self.path == "/download":
            self.send_header("Content-Disposition", 'attachment; filename="dump.bin"')
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # a capture that gave up has closed the connection

    def log_message(self, *_args: Any) -> None:
        pass


@contextmanager
def serve_site() -> Iterator[str]:
    """Serve the site on a free loopback port for the block; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
