"""Real HTTP servers on 127.0.0.1 for the harvester tests: one serving files from a folder (with ETag and
Last-Modified, so conditional GET is real), and fault routes that misbehave the way county sites do."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root: str = "."
    requests_seen: list

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.requests_seen.append((self.path, dict(self.headers)))
        if self.path.startswith("/fault/"):
            return getattr(self, "fault_" + self.path.split("/")[2].replace("-", "_"))()
        path = os.path.join(self.root, self.path.lstrip("/").split("?")[0])
        if not os.path.isfile(path):
            return self._send(404, b"not found", "text/plain")
        data = open(path, "rb").read()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        modified = formatdate(os.path.getmtime(path), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        types = {".html": "text/html; charset=utf-8", ".csv": "text/csv", ".json": "application/json",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        self._send(200, data, types.get(os.path.splitext(path)[1], "application/octet-stream"),
                   {"ETag": etag, "Last-Modified": modified})

    def _send(self, status, body, ctype, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    # --- faults ---
    def fault_500(self):
        self._send(500, b"internal error", "text/plain")

    def fault_slow(self):
        time.sleep(3)
        self._send(200, b"late", "text/plain")

    def fault_truncated(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"a,b\n1,2\n")
        self.wfile.flush()
        self.close_connection = True

    def fault_huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()  # no length: the size is found out while reading
        try:
            for _ in range(400):
                self.wfile.write(b"x" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def fault_loop(self):
        self.send_response(302)
        self.send_header("Location", "/fault/loop2")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def fault_loop2(self):
        self.send_response(302)
        self.send_header("Location", "/fault/loop")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def fault_redirect_private(self):
        self.send_response(302)
        self.send_header("Location", "http://10.255.255.1/x.csv")  # never contacted: refused before connecting
        self.send_header("Content-Length", "0")
        self.end_headers()


class LocalServer:
    def __init__(self, root: str):
        handler = type("BoundHandler", (Handler,), {"root": root, "requests_seen": []})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.handler = handler
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
