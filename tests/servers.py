"""Real HTTP servers on 127.0.0.1 for the harvester tests: one serving files from a folder (with ETag and
Last-Modified, so conditional GET is real), and fault routes that misbehave the way county sites do."""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root: str = "."
    requests_seen: list
    faults: dict  # path -> a fault_* method's name, (status, content type, body) to answer instead, or seconds to wait

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.requests_seen.append((self.path, dict(self.headers)))
        if self.path.startswith("/fault/"):
            return getattr(self, "fault_" + self.path.split("/")[2].replace("-", "_"))()
        if self.path.startswith(("/api/3/action/", "/api/action/")):
            return self.ckan_action()
        fault = self.faults.get(self.path)
        if isinstance(fault, str):
            return getattr(self, "fault_" + fault)()
        if isinstance(fault, (int, float)):  # a file served after this many seconds
            time.sleep(fault)
            fault = None
        if fault:
            return self._send(*fault)
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
        ctype = dict(parse_qsl(urlsplit(self.path).query)).get("type")  # ?type=... : a server that lies
        self._send(200, data, ctype or types.get(os.path.splitext(path)[1], "application/octet-stream"),
                   {"ETag": etag, "Last-Modified": modified})

    def _send(self, status, body, ctype, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    # --- a county portal's CKAN Action API (read-only, GET), over the datasets in ckan/datasets.json ---
    def ckan_action(self):
        url = urlsplit(self.path)
        action, query = url.path.rsplit("/", 1)[1], dict(parse_qsl(url.query))
        base = f"http://{self.headers['Host']}"
        datasets = json.loads(open(os.path.join(self.root, "ckan", "datasets.json"), encoding="utf-8").read()
                              .replace("{base}", base))
        if action == "package_show":
            found = [d for d in datasets if query.get("id") in (d["id"], d["name"])]
            if not found:
                return self._send(404, json.dumps({"success": False, "error": {"__type": "Not Found Error",
                                                   "message": "Not found"}}).encode(), "application/json")
            return self._ckan_result(found[0])
        if action == "package_search":
            # CKAN's fq syntax, as far as the harvester uses it: field:value terms joined by AND
            terms = [t.split(":", 1) for t in query.get("fq", "").split(" AND ") if ":" in t]
            names = {"dataset_type": lambda d: d.get("type"), "organization": lambda d: d["organization"]["name"]}
            hits = sorted((d for d in datasets if all(names[k](d) == v for k, v in terms)), key=lambda d: d["name"])
            start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
            return self._ckan_result({"count": len(hits), "results": hits[start:start + rows]})
        self._send(400, b'{"success": false, "error": {"message": "unknown action"}}', "application/json")

    def _ckan_result(self, result):
        self._send(200, json.dumps({"success": True, "result": result}, ensure_ascii=False).encode(), "application/json")

    # --- faults ---
    def fault_500(self):
        self._send(500, b"internal error", "text/plain")

    def fault_503(self):
        self._send(503, b"busy", "text/plain")

    def fault_hang(self):
        """Headers never come: the connection stays open and silent."""
        time.sleep(30)
        self.close_connection = True

    def fault_slow(self):
        time.sleep(3)
        self._send(200, b"late", "text/plain")

    def fault_drip(self):
        """A whole body promised, sent a byte every 0.2 s: each read succeeds, the download never ends."""
        self._drip(headers_first=True)

    def fault_drip_headers(self):
        """The status line, then headers a byte at a time."""
        self._drip(headers_first=False)

    def _drip(self, headers_first: bool):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\n"
        try:
            if headers_first:
                self.wfile.write(head)
                head = b""
            else:
                self.wfile.write(head[:17])
                head = head[17:]
            for byte in (head + b"a" * 100000)[:300]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

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
    def __init__(self, root: str, address: tuple = ("127.0.0.1", 0)):
        handler = type("BoundHandler", (Handler,), {"root": root, "requests_seen": [], "faults": {}})
        self.httpd = ThreadingHTTPServer(address, handler)
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
