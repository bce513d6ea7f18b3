# A tiny real HTTP service for deployment tests: serves its version on / and answers /health
# with 200, unless its version starts with "broken" (then /health is 503 forever).
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port, version = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status = 503 if self.path == "/health" and version.startswith("broken") else 200
        body = ("version " + version).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


print("service", version, "listening on", port, flush=True)
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
